// On-disk format of a layer's facts record (a directory beside the layer's tree). See docs/storage.md.
import type { GroupFact, MountFact, UserFact } from "../types.js";

export const FACTS_FORMAT = "strata-facts/1";
export const META_FILE = "meta.json";
/** full records: every path, sorted, one JSON PathFact per line */
export const PATHS_FILE = "paths.jsonl";
/** full records: first path and byte offset of every block of PATHS_FILE, for binary search */
export const INDEX_FILE = "paths.idx.json";
/** delta records: what changed relative to the parent record */
export const DELTA_FILE = "delta.json";

export interface FactsMeta {
  format: typeof FACTS_FORMAT;
  label: string;
  phase: string;
  kind: "full" | "delta";
  /** delta records: absolute path of the parent's facts directory */
  parent: string | null;
  /** number of delta records above the nearest full record (0 for a full record) */
  depth: number;
  /** delta entries summed over the chain down to the nearest full record */
  chainEntries: number;
  pathCount: number;
  users: UserFact[];
  groups: GroupFact[];
  mounts: MountFact[];
}

export interface FullIndex {
  blockLines: number;
  /** [first path of the block, byte offset of the block] */
  blocks: [string, number][];
  size: number;
}

/** the one order paths are kept in; every path below a directory is contiguous in it */
export function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `/a/b/c` → [`/a/b`, `/a`, `/`] */
export function ancestorsOf(p: string): string[] {
  const out: string[] = [];
  let cur = p;
  while (cur !== "/") {
    const i = cur.lastIndexOf("/");
    cur = i <= 0 ? "/" : cur.slice(0, i);
    out.push(cur);
  }
  return out;
}

/** first index i in sorted `arr` with arr[i] >= key */
export function lowerBound(arr: readonly string[], key: string): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (arr[mid]! < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
