// Paths of a tree as byte strings: names read as latin1 (one char per byte), so a name that is not UTF-8 survives
// the round trip, and `hostBytes(p)` hands the same bytes back to the kernel. Used where a tree is copied exactly
// (layer diffs, portable phases) rather than described (facts, which take UTF-8 names).
import { lstatSync, readdirSync, type BigIntStats } from "node:fs";
import { join } from "node:path";

/** the path's bytes, typed for the fs calls (which take a Buffer wherever they take a string) */
export const hostBytes = (p: string): string => Buffer.from(p, "latin1") as unknown as string;

/** byte order of two latin1 byte strings: a directory before what it holds */
export const compareBytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a, "latin1"), Buffer.from(b, "latin1"));

/** lstat of a tree's relative paths, never through a symlink: null when missing or when an ancestor is not a real directory */
export class LiteralTree {
  private readonly cache = new Map<string, BigIntStats | null>();
  constructor(readonly root: string) {}

  host(rel: string): string {
    return rel === "" ? this.root : join(this.root, rel);
  }

  stat(rel: string): BigIntStats | null {
    const hit = this.cache.get(rel);
    if (hit !== undefined) return hit;
    let st: BigIntStats | null = null;
    const slash = rel.lastIndexOf("/");
    const parentOk = rel === "" || (slash < 0 ? true : this.stat(rel.slice(0, slash))?.isDirectory() === true);
    if (parentOk) {
      try {
        st = lstatSync(hostBytes(this.host(rel)), { bigint: true });
      } catch {
        st = null;
      }
    }
    this.cache.set(rel, st);
    return st;
  }

  names(rel: string): string[] {
    return readdirSync(hostBytes(this.host(rel)), { encoding: "buffer" }).map((n) => n.toString("latin1"));
  }
}
