// Users and groups of an image, read from its /etc/passwd and /etc/group after a phase.
import { lstatSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { GroupFact, UserFact } from "../types.js";

function readImageFile(root: string, imagePath: string): string | undefined {
  const host = join(root, imagePath);
  try {
    // a symlinked /etc/passwd could point outside the image; only regular files are read
    if (!lstatSync(join(root, "etc")).isDirectory() || !lstatSync(host).isFile()) return undefined;
    return readFileSync(host, "utf8");
  } catch {
    return undefined;
  }
}

function records(text: string | undefined): string[][] {
  if (text === undefined) return [];
  return text
    .split("\n")
    .filter((l) => l.trim() !== "" && !l.startsWith("#"))
    .map((l) => l.split(":"));
}

export function parseGroups(text: string | undefined): GroupFact[] {
  return records(text)
    .filter((r) => r.length >= 3)
    .map((r) => ({
      name: r[0]!,
      gid: Number(r[2]),
      members: (r[3] ?? "").split(",").filter((m) => m !== ""),
    }));
}

export function parseUsers(text: string | undefined, groups: GroupFact[]): UserFact[] {
  return records(text)
    .filter((r) => r.length >= 7)
    .map((r) => ({
      name: r[0]!,
      uid: Number(r[2]),
      gid: Number(r[3]),
      comment: r[4]!,
      home: r[5]!,
      shell: r[6]!,
      groups: groups.filter((g) => g.members.includes(r[0]!)).map((g) => g.name),
    }));
}

export function readUsersAndGroups(root: string): { users: UserFact[]; groups: GroupFact[] } {
  const groups = parseGroups(readImageFile(root, "/etc/group"));
  const users = parseUsers(readImageFile(root, "/etc/passwd"), groups);
  return { users, groups };
}
