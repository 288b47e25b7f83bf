// The image's /etc/passwd, /etc/group and /etc/shadow (never the host's): parsing, editing, id allocation.
// Lines we do not understand (comments, NIS `+` entries) are kept verbatim.
import { closeSync, constants, openSync, readFileSync } from "node:fs";
import { lstatIn, writeFileIn, type Meta } from "./fsops.js";
import { resolveInImage } from "./resolve.js";

export const FIRST_ALLOCATED_ID = 1000;

export interface PasswdEntry {
  name: string;
  password: string;
  uid: number;
  gid: number;
  comment: string;
  home: string;
  shell: string;
}

export interface GroupEntry {
  name: string;
  password: string;
  gid: number;
  members: string[];
}

type Line<T> = { entry: T } | { raw: string };

function splitLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

export class PasswdFile {
  constructor(readonly lines: Line<PasswdEntry>[]) {}
  static parse(text: string): PasswdFile {
    return new PasswdFile(
      splitLines(text).map((raw) => {
        const f = raw.split(":");
        if (f.length !== 7 || raw.startsWith("#") || !/^\d+$/.test(f[2]!) || !/^\d+$/.test(f[3]!)) return { raw };
        return { entry: { name: f[0]!, password: f[1]!, uid: Number(f[2]), gid: Number(f[3]), comment: f[4]!, home: f[5]!, shell: f[6]! } };
      }),
    );
  }
  entries(): PasswdEntry[] {
    return this.lines.flatMap((l) => ("entry" in l ? [l.entry] : []));
  }
  get(name: string): PasswdEntry | undefined {
    return this.entries().find((e) => e.name === name);
  }
  add(e: PasswdEntry): void {
    this.lines.push({ entry: e });
  }
  serialize(): string {
    return this.lines
      .map((l) => ("raw" in l ? l.raw : [l.entry.name, l.entry.password, l.entry.uid, l.entry.gid, l.entry.comment, l.entry.home, l.entry.shell].join(":")))
      .map((s) => s + "\n")
      .join("");
  }
}

export class GroupFile {
  constructor(readonly lines: Line<GroupEntry>[]) {}
  static parse(text: string): GroupFile {
    return new GroupFile(
      splitLines(text).map((raw) => {
        const f = raw.split(":");
        if (f.length !== 4 || raw.startsWith("#") || !/^\d+$/.test(f[2]!)) return { raw };
        return { entry: { name: f[0]!, password: f[1]!, gid: Number(f[2]), members: f[3] === "" ? [] : f[3]!.split(",") } };
      }),
    );
  }
  entries(): GroupEntry[] {
    return this.lines.flatMap((l) => ("entry" in l ? [l.entry] : []));
  }
  get(name: string): GroupEntry | undefined {
    return this.entries().find((e) => e.name === name);
  }
  add(e: GroupEntry): void {
    this.lines.push({ entry: e });
  }
  serialize(): string {
    return this.lines
      .map((l) => ("raw" in l ? l.raw : [l.entry.name, l.entry.password, l.entry.gid, l.entry.members.join(",")].join(":")))
      .map((s) => s + "\n")
      .join("");
  }
}

/** Lowest id ≥ 1000 not in `used`. */
export function lowestFreeId(used: Iterable<number>): number {
  const set = new Set(used);
  let id = FIRST_ALLOCATED_ID;
  while (set.has(id)) id++;
  return id;
}

/** Reads a text file of the image (following symlinks within the image); null when absent. */
export function readImageText(root: string, path: string): string | null {
  const r = resolveInImage(root, path, true);
  try {
    // O_NOATIME: reading must not change the image (atime would otherwise depend on the wall clock).
    const fd = openSync(r.hostPath, constants.O_RDONLY | constants.O_NOATIME);
    try {
      return readFileSync(fd, "utf8");
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
}

/**
 * Rewrites a text file of the image keeping its owner and mode (a new file gets `fallbackMode`, root-owned),
 * with times set to the epoch. Returns the resolved image path for `touched`.
 */
export function writeImageText(root: string, path: string, text: string, epoch: number, fallbackMode = 0o644): string {
  const { stat, imagePath } = lstatIn(root, path, true);
  const meta: Meta = stat !== null ? { mode: stat.mode & 0o7777, uid: stat.uid, gid: stat.gid, epoch } : { mode: fallbackMode, uid: 0, gid: 0, epoch };
  return writeFileIn(root, imagePath, text, meta).imagePath;
}

export function readPasswd(root: string): PasswdFile {
  return PasswdFile.parse(readImageText(root, "/etc/passwd") ?? "");
}

export function readGroup(root: string): GroupFile {
  return GroupFile.parse(readImageText(root, "/etc/group") ?? "");
}

/** uid of a user name in the image; "root" is always 0 (ambient). */
export function lookupUid(root: string, user: string | number): number | undefined {
  if (typeof user === "number") return user;
  const e = readPasswd(root).get(user);
  if (e !== undefined) return e.uid;
  return user === "root" ? 0 : undefined;
}

export function lookupGid(root: string, group: string | number): number | undefined {
  if (typeof group === "number") return group;
  const e = readGroup(root).get(group);
  if (e !== undefined) return e.gid;
  return group === "root" ? 0 : undefined;
}
