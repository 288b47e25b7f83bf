// The ordinary user that the rootless tests (test/rootless) and benchmarks (bench/rootless.bench.ts,
// bench/debian.bench.ts) act as: created when missing, with a subordinate id range, and commands run as it with
// runuser and a clean environment. Lives in bench/ because the benchmarks run compiled (dist/bench) and test/ is not.
import { execFileSync } from "node:child_process";
import { freeStart, readSubIdFile } from "../src/rootless/subids.js";

export const ROOTLESS_USER = "strata-rl";

export interface TestUser {
  name: string;
  uid: number;
  gid: number;
  home: string;
  /** the start of its subordinate uid range (image uid n > 0 is host uid subuid + n - 1), or undefined */
  subuid?: number;
}

function idOf(user: string): number | undefined {
  try {
    return Number(execFileSync("id", ["-u", user], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim());
  } catch {
    return undefined;
  }
}

/** the user, created when missing (with a home), with a subordinate range of 65536 ids when `subids` (needs root) */
export function ensureUser(name: string, subids: boolean): TestUser {
  if (idOf(name) === undefined) {
    try {
      execFileSync("useradd", ["-m", "-s", "/bin/sh", name], { stdio: ["ignore", "ignore", "pipe"] });
    } catch (e) {
      // another suite of this run created it meanwhile
      if (idOf(name) === undefined) throw e;
    }
  }
  const has = (file: string): number | undefined => {
    const line = (readSubIdFile(file).text ?? "").split("\n").find((l) => l.startsWith(`${name}:`));
    return line === undefined ? undefined : Number(line.split(":")[1]);
  };
  if (!subids) {
    // useradd may have given the new user a range (SUB_UID_COUNT in /etc/login.defs): this one has none
    for (const [file, flag] of [["/etc/subuid", "--del-subuids"], ["/etc/subgid", "--del-subgids"]] as const) {
      for (const l of (readSubIdFile(file).text ?? "").split("\n").filter((l) => l.startsWith(`${name}:`))) {
        const [, start, count] = l.split(":").map(Number);
        execFileSync("usermod", [flag, `${start}-${start! + count! - 1}`, name]);
      }
    }
  }
  let subuid = has("/etc/subuid");
  if (subids && (subuid === undefined || has("/etc/subgid") === undefined)) {
    const start = freeStart([readSubIdFile("/etc/subuid"), readSubIdFile("/etc/subgid")]);
    const range = `${start}-${start + 65535}`;
    execFileSync("usermod", ["--add-subuids", range, "--add-subgids", range, name]);
    subuid = has("/etc/subuid");
  }
  const uid = idOf(name)!;
  const gid = Number(execFileSync("id", ["-g", name], { encoding: "utf8" }).trim());
  const home = execFileSync("getent", ["passwd", name], { encoding: "utf8" }).trim().split(":")[5]!;
  return { name, uid, gid, home, subuid: subids ? subuid : undefined };
}

/** a clean environment: what a login shell of the user has, plus `extra` */
export function userEnv(user: TestUser, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: user.home, USER: user.name, LOGNAME: user.name, LANG: "C.UTF-8", ...extra };
}

/** the command and arguments that run argv as `user` with userEnv(user, extra) */
export function asUser(user: TestUser, argv: string[], extra: Record<string, string> = {}): [string, string[]] {
  return ["runuser", ["-u", user.name, "--", "env", "-i", ...Object.entries(userEnv(user, extra)).map(([k, v]) => `${k}=${v}`), ...argv]];
}
