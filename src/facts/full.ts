// A full facts record: every path of the layer, sorted, one JSON line each, plus a block index. Lookups
// binary-search the index and read one block with a positioned read, so opening a 100k-path record is cheap.
import { closeSync, openSync, readSync } from "node:fs";
import { open } from "node:fs/promises";
import type { PathFact } from "../types.js";
import { dirPrefix } from "../image/path.js";
import { type FullIndex, comparePaths } from "./format.js";

const BLOCK_LINES = 64;

export class FullPaths {
  private readonly fd: number;
  private readonly firsts: string[];
  private readonly cache = new Map<number, PathFact[]>();

  constructor(
    file: string,
    private readonly index: FullIndex,
  ) {
    this.fd = openSync(file, "r");
    this.firsts = index.blocks.map((b) => b[0]);
  }

  close(): void {
    closeSync(this.fd);
  }

  private block(i: number): PathFact[] {
    const hit = this.cache.get(i);
    if (hit !== undefined) return hit;
    const start = this.index.blocks[i]![1];
    const end = i + 1 < this.index.blocks.length ? this.index.blocks[i + 1]![1] : this.index.size;
    const buf = Buffer.allocUnsafe(end - start);
    let got = 0;
    while (got < buf.length) {
      const n = readSync(this.fd, buf, got, buf.length - got, start + got);
      if (n === 0) throw new Error("facts record is truncated");
      got += n;
    }
    const facts = buf
      .toString("utf8")
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as PathFact);
    if (this.cache.size > 256) this.cache.clear();
    this.cache.set(i, facts);
    return facts;
  }

  /** index of the block that would hold `p` (the last block whose first path is <= p) */
  private blockFor(p: string): number {
    let lo = 0;
    let hi = this.firsts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.firsts[mid]! <= p) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  get(p: string): PathFact | undefined {
    const b = this.blockFor(p);
    if (b < 0) return undefined;
    return this.block(b).find((f) => f.path === p);
  }

  *listUnder(dir: string): Generator<PathFact> {
    const prefix = dirPrefix(dir);
    for (let b = Math.max(0, this.blockFor(prefix)); b < this.firsts.length; b++) {
      for (const f of this.block(b)) {
        if (f.path.startsWith(prefix)) {
          if (f.path !== dir) yield f;
        } else if (f.path > prefix) {
          return;
        }
      }
    }
  }
}

/** writes `facts` (which must be sorted by path) as PATHS_FILE; returns the index */
export async function writeFullPaths(file: string, facts: Iterable<PathFact>): Promise<FullIndex> {
  const fh = await open(file, "w", 0o644);
  const blocks: [string, number][] = [];
  let offset = 0;
  let chunk: string[] = [];
  let n = 0;
  let prev: string | undefined;
  try {
    for (const f of facts) {
      if (prev !== undefined && comparePaths(prev, f.path) >= 0) throw new Error(`facts out of order: ${prev} then ${f.path}`);
      prev = f.path;
      if (n % BLOCK_LINES === 0) blocks.push([f.path, offset]);
      if (chunk.length >= 4096) {
        await fh.write(chunk.join(""));
        chunk = [];
      }
      const line = JSON.stringify(f) + "\n";
      chunk.push(line);
      offset += Buffer.byteLength(line);
      n++;
    }
    if (chunk.length > 0) await fh.write(chunk.join(""));
  } finally {
    await fh.close();
  }
  return { blockLines: BLOCK_LINES, blocks, size: offset };
}
