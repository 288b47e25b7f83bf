// Users and groups of an image as facts, read from its /etc/passwd and /etc/group after a phase.
// Parsing is the image module's (the same parser the user/group features edit with).
import { GroupFile, PasswdFile, readImageText } from "../image/passwd.js";
import type { GroupFact, UserFact } from "../types.js";

export function parseGroups(text: string | undefined): GroupFact[] {
  return GroupFile.parse(text ?? "")
    .entries()
    .map((e) => ({ name: e.name, gid: e.gid, members: [...e.members] }));
}

export function parseUsers(text: string | undefined, groups: GroupFact[]): UserFact[] {
  return PasswdFile.parse(text ?? "")
    .entries()
    .map((e) => ({
      name: e.name,
      uid: e.uid,
      gid: e.gid,
      comment: e.comment,
      home: e.home,
      shell: e.shell,
      groups: groups.filter((g) => g.members.includes(e.name)).map((g) => g.name),
    }));
}

/** Absent files, and files that resolve outside the image, count as empty. */
function readOrEmpty(root: string, imagePath: string): string | undefined {
  try {
    return readImageText(root, imagePath) ?? undefined;
  } catch {
    return undefined;
  }
}

export function readUsersAndGroups(root: string): { users: UserFact[]; groups: GroupFact[] } {
  const groups = parseGroups(readOrEmpty(root, "/etc/group"));
  const users = parseUsers(readOrEmpty(root, "/etc/passwd"), groups);
  return { users, groups };
}
