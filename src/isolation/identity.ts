// Who a command runs as: a user of the image (never of the host), resolved from the image's /etc/passwd and
// /etc/group, with its supplementary groups (every group that lists the user as a member).
import { StrataError } from "../errors.js";
import { readGroup, readPasswd, type GroupFile, type PasswdFile } from "../image/passwd.js";
import { ImagePathError } from "../image/path.js";

/** the image's users and groups; a file that leads out of the image through a symlink is the image's fault, said so */
function readAccounts(root: string, label: string): { passwd: PasswdFile; groups: GroupFile } {
  try {
    return { passwd: readPasswd(root), groups: readGroup(root) };
  } catch (e) {
    if (!(e instanceof ImagePathError)) throw e;
    throw new StrataError({
      label,
      message: `cannot read the image's users and groups: ${e.message}`,
      expected: "/etc/passwd and /etc/group as files of the image (or symlinks that stay inside it)",
      found: "a symlink that leads out of the image; strata never follows it onto the host",
    });
  }
}

export interface Identity {
  name: string;
  uid: number;
  gid: number;
  /** every gid of the process as initgroups(3) would set it: the primary gid and the groups listing the user, sorted */
  groups: number[];
  home: string;
}

/**
 * `user` is a name of the image, or `name:group` to override the primary group. A numeric user (`"65534"`) is
 * accepted when the image has no passwd entry for it; HOME is then `/`.
 */
export function resolveIdentity(root: string, user: string, label = "strata"): Identity {
  const [userName, groupName] = user.split(":", 2) as [string, string | undefined];
  const { passwd, groups } = readAccounts(root, label);
  const entry = passwd.get(userName) ?? passwd.entries().find((e) => /^\d+$/.test(userName) && e.uid === Number(userName));
  let identity: Identity;
  if (entry !== undefined) {
    identity = { name: entry.name, uid: entry.uid, gid: entry.gid, groups: [], home: entry.home === "" ? "/" : entry.home };
  } else if (/^\d+$/.test(userName)) {
    identity = { name: userName, uid: Number(userName), gid: Number(userName), groups: [], home: "/" };
  } else {
    const known = passwd.entries().map((e) => e.name);
    throw new StrataError({
      label,
      message: `user "${userName}" does not exist in the image`,
      expected: `a user of the image's /etc/passwd`,
      found: known.length > 0 ? `users ${known.join(", ")}` : "no /etc/passwd entries",
    });
  }
  if (groupName !== undefined) {
    const g = groups.get(groupName) ?? (/^\d+$/.test(groupName) ? { gid: Number(groupName) } : undefined);
    if (g === undefined) {
      throw new StrataError({ label, message: `group "${groupName}" does not exist in the image`, expected: "a group of the image's /etc/group", found: groups.entries().map((e) => e.name).join(", ") || "no groups" });
    }
    identity.gid = g.gid;
  }
  const supplementary = new Set<number>();
  for (const g of groups.entries()) if (g.members.includes(identity.name)) supplementary.add(g.gid);
  supplementary.add(identity.gid);
  identity.groups = [...supplementary].sort((a, b) => a - b);
  return identity;
}
