// What an ordinary user needs before strata can enter its user namespace, each checked before trying and named
// with its fix when missing: newuidmap/newgidmap (package uidmap), unprivileged user namespaces (the sysctls),
// and a subordinate id range in /etc/subuid and /etc/subgid.
import { accessSync, constants, readFileSync, statSync } from "node:fs";
import { userInfo } from "node:os";
import { join } from "node:path";
import { StrataError } from "../errors.js";
import { IMAGE_IDS, findRange, freeStart, readSubIdFile, type SubRange } from "./subids.js";

const LABEL = "strata (rootless)";

export interface RootlessPlan {
  user: string;
  uid: number;
  gid: number;
  subuid: SubRange;
  subgid: SubRange;
  newuidmap: string;
  newgidmap: string;
}

/** an executable regular file named `name` in PATH or the usual system directories */
export function findProgram(name: string, path = process.env.PATH ?? ""): string | undefined {
  const dirs = [...path.split(":").filter((d) => d.startsWith("/")), "/usr/bin", "/bin", "/usr/sbin", "/sbin"];
  for (const d of dirs) {
    const p = join(d, name);
    try {
      if (!statSync(p).isFile()) continue;
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

function readSysctl(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8").trim();
  } catch {
    return undefined;
  }
}

/** the settings that keep this user from creating a user namespace, as `sysctl` names with their values */
export function userNamespaceBlockers(): string[] {
  const blockers: string[] = [];
  if (readSysctl("/proc/sys/user/max_user_namespaces") === "0") blockers.push("user.max_user_namespaces = 0");
  if (readSysctl("/proc/sys/kernel/unprivileged_userns_clone") === "0") blockers.push("kernel.unprivileged_userns_clone = 0");
  if (readSysctl("/proc/sys/kernel/apparmor_restrict_unprivileged_userns") === "1") blockers.push("kernel.apparmor_restrict_unprivileged_userns = 1");
  return blockers;
}

const FIXES: Record<string, string> = {
  "user.max_user_namespaces": "sysctl -w user.max_user_namespaces=15000",
  "kernel.unprivileged_userns_clone": "sysctl -w kernel.unprivileged_userns_clone=1",
  "kernel.apparmor_restrict_unprivileged_userns": "sysctl -w kernel.apparmor_restrict_unprivileged_userns=0",
};

export function userNamespacesDisabled(blockers: string[]): StrataError {
  return new StrataError({
    label: LABEL,
    message: "unprivileged user namespaces are disabled on this machine, and strata builds without root inside one",
    expected: "unprivileged user namespaces allowed",
    found: blockers.join(", "),
    notes: [
      "an admin enables them (as root; add the same setting to /etc/sysctl.d/ to keep it after a reboot):",
      ...blockers.map((b) => `  ${FIXES[b.split(" ")[0]!] ?? b}`),
      "or run strata as root",
    ],
  });
}

function currentUser(): { name: string; uid: number; gid: number } {
  const uid = process.getuid!();
  const gid = process.getgid!();
  try {
    return { name: userInfo().username, uid, gid };
  } catch {
    return { name: String(uid), uid, gid };
  }
}

/** everything entering the namespace needs, or a StrataError naming every missing part and its fix */
export function rootlessPlan(files = { subuid: "/etc/subuid", subgid: "/etc/subgid" }): RootlessPlan {
  const me = currentUser();
  const errors: StrataError[] = [];
  const newuidmap = findProgram("newuidmap");
  const newgidmap = findProgram("newgidmap");
  if (newuidmap === undefined || newgidmap === undefined) {
    const missing = [newuidmap === undefined ? "newuidmap" : "", newgidmap === undefined ? "newgidmap" : ""].filter((s) => s !== "");
    errors.push(
      new StrataError({
        label: LABEL,
        message: `${missing.join(" and ")} not found: strata maps the image's users onto your subordinate ids with them`,
        expected: "newuidmap and newgidmap (setuid root) in PATH or /usr/bin",
        found: `no ${missing.join(", no ")}`,
        notes: ["an admin installs the package uidmap: apt-get install uidmap (Fedora, Arch: shadow-utils / shadow)"],
      }),
    );
  }
  const blockers = userNamespaceBlockers();
  if (blockers.length > 0) errors.push(userNamespacesDisabled(blockers));
  const uidFile = readSubIdFile(files.subuid);
  const gidFile = readSubIdFile(files.subgid);
  const subuid = findRange(uidFile, me.name, me.uid);
  const subgid = findRange(gidFile, me.name, me.uid);
  if (subuid === undefined || subgid === undefined) {
    const start = freeStart([uidFile, gidFile]);
    const line = `${me.name}:${start}:${IMAGE_IDS}`;
    const where = [subuid === undefined ? files.subuid : "", subgid === undefined ? files.subgid : ""].filter((s) => s !== "");
    errors.push(
      new StrataError({
        label: LABEL,
        message: `user ${me.name} (uid ${me.uid}) has no subordinate id range for the image's users and groups`,
        expected: `a range of at least ${IMAGE_IDS} ids for ${me.name} in ${files.subuid} and ${files.subgid}`,
        found: `none in ${where.join(" and ")}`,
        notes: [
          `an admin adds this line to ${where.join(" and to ")}:`,
          `  ${line}`,
          `(or runs: usermod --add-subuids ${start}-${start + IMAGE_IDS - 1} --add-subgids ${start}-${start + IMAGE_IDS - 1} ${me.name})`,
        ],
      }),
    );
  }
  if (errors.length > 0) throw new StrataError(errors.flatMap((e) => e.details));
  return { user: me.name, uid: me.uid, gid: me.gid, subuid: subuid!, subgid: subgid!, newuidmap: newuidmap!, newgidmap: newgidmap! };
}
