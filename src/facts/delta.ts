// A delta facts record: the paths a phase added or changed (upserts) and the subtrees it removed (tombstones),
// relative to the parent's record. Tombstones hide the parent's path and everything under it; upserts of the
// same record sit on top of them (a directory removed and re-created in one phase).
import type { PathFact } from "../types.js";
import { dirPrefix } from "../image/path.js";
import { ancestorsOf, lowerBound } from "./format.js";

export interface DeltaData {
  upserts: PathFact[];
  removed: string[];
}

export class DeltaLevel {
  readonly upserts: Map<string, PathFact>;
  private readonly sortedPaths: string[];
  readonly removed: Set<string>;

  constructor(data: DeltaData) {
    this.upserts = new Map(data.upserts.map((f) => [f.path, f]));
    this.sortedPaths = [...this.upserts.keys()].sort();
    this.removed = new Set(data.removed);
  }

  get size(): number {
    return this.upserts.size + this.removed.size;
  }

  /** true when this record hides the parent's `p` (it or an ancestor was removed) */
  hides(p: string): boolean {
    if (this.removed.size === 0) return false;
    if (this.removed.has(p)) return true;
    for (const a of ancestorsOf(p)) if (this.removed.has(a)) return true;
    return false;
  }

  *upsertsUnder(dir: string): Generator<PathFact> {
    const prefix = dirPrefix(dir);
    for (let i = lowerBound(this.sortedPaths, prefix); i < this.sortedPaths.length; i++) {
      const p = this.sortedPaths[i]!;
      if (!p.startsWith(prefix)) return;
      if (p !== dir) yield this.upserts.get(p)!;
    }
  }

  toData(): DeltaData {
    return {
      upserts: this.sortedPaths.map((p) => this.upserts.get(p)!),
      removed: [...this.removed].sort(),
    };
  }
}
