// Which user namespace this process is in. strata is "rootless" when it runs as uid 0 of a user namespace that is
// not the initial one: the namespace strata enters for an ordinary user (enter.ts), or a container that maps a
// range of ids. There root has every capability over the mapped ids, but cannot mount block devices, so the
// working volume is a plain directory or a btrfs the user can write, never a loopback image.
import { readFileSync } from "node:fs";

export interface IdRange {
  inside: number;
  outside: number;
  count: number;
}

/** the ranges of a /proc/<pid>/{uid,gid}_map file */
export function parseIdMap(text: string): IdRange[] {
  return text
    .split("\n")
    .map((l) => l.trim().split(/\s+/).map(Number))
    .filter((f) => f.length === 3 && f.every((n) => Number.isInteger(n)))
    .map(([inside, outside, count]) => ({ inside: inside!, outside: outside!, count: count! }));
}

export function readIdMap(kind: "uid" | "gid", pid: number | "self" = "self"): IdRange[] {
  return parseIdMap(readFileSync(`/proc/${pid}/${kind}_map`, "utf8"));
}

/** the initial user namespace maps every id to itself in one range */
function isInitial(map: IdRange[]): boolean {
  return map.length === 1 && map[0]!.inside === 0 && map[0]!.outside === 0 && map[0]!.count === 4294967295;
}

let cached: boolean | undefined;

/** true inside a user namespace other than the initial one */
export function inUserNamespace(): boolean {
  if (cached === undefined) {
    try {
      cached = !isInitial(readIdMap("uid"));
    } catch {
      cached = false;
    }
  }
  return cached;
}

/** running as uid 0 of a non-initial user namespace: root over the mapped ids only */
export function isRootless(): boolean {
  return process.getuid?.() === 0 && inUserNamespace();
}

/**
 * The identity mapping of every id this namespace maps, for a nested namespace: an id keeps its number, so
 * ownership inside the nested namespace is ownership here. In the initial namespace it is `0 0 4294967295`.
 */
export function identityMapOf(kind: "uid" | "gid"): string {
  let map: IdRange[];
  try {
    map = readIdMap(kind);
  } catch {
    map = [{ inside: 0, outside: 0, count: 4294967295 }];
  }
  return map.map((r) => `${r.inside} ${r.inside} ${r.count}\n`).join("");
}
