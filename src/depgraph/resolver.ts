// Resolves image paths through symlinks known to the graph: the phase's symlink items and the parent's facts.
// Directory resolutions are memoised, so resolving n paths costs O(total components), not O(n²).
import { baseName, joinImage, parentOf, symlinkDestination } from "../image/path.js";
import type { FactsView } from "../types.js";

const MAX_LINKS = 40;

export interface PhaseSymlink {
  target: string;
  /** index of the providing feature */
  provider: number;
}

export type Resolution =
  | { ok: true; path: string; /** providers of the phase symlinks passed through */ via: number[] }
  | { ok: false; reason: string };

const NO_VIA: number[] = [];

export class GraphResolver {
  private readonly memo = new Map<string, Resolution>();
  constructor(
    private readonly symlinks: Map<string, PhaseSymlink>,
    private readonly parent: FactsView,
  ) {}

  private linkAt(p: string): { target: string; provider?: number } | undefined {
    const own = this.symlinks.get(p);
    if (own !== undefined) return own;
    const fact = this.parent.path(p);
    return fact?.type === "symlink" && fact.target !== undefined ? { target: fact.target } : undefined;
  }

  /** Follows the link at the already-canonical-parent path `p`, if any. */
  private follow(p: string, via: number[], hops: number): Resolution {
    const link = this.linkAt(p);
    if (link === undefined) return { ok: true, path: p, via };
    if (hops >= MAX_LINKS) return { ok: false, reason: `too many levels of symbolic links at "${p}"` };
    const dest = symlinkDestination(p, link.target);
    if (dest === null) return { ok: false, reason: `the symlink "${p}" -> "${link.target}" leads outside the image` };
    const via2 = link.provider === undefined ? via : [...via, link.provider];
    const r = this.resolveDir(dest, hops + 1);
    if (!r.ok) return r;
    return { ok: true, path: r.path, via: r.via.length === 0 ? via2 : via2.length === 0 ? r.via : [...via2, ...r.via] };
  }

  /** Resolves every component of `p` (the last one too). */
  resolveDir(p: string, hops = 0): Resolution {
    if (p === "/") return { ok: true, path: "/", via: NO_VIA };
    const cached = this.memo.get(p);
    if (cached !== undefined) return cached;
    const pp = parentOf(p);
    const parent = this.resolveDir(pp, hops);
    const r = parent.ok ? this.follow(parent.path === pp ? p : joinImage(parent.path, baseName(p)), parent.via, hops) : parent;
    this.memo.set(p, r);
    return r;
  }

  /** Resolves the parent of `p` only; the last component is kept (the path of an item itself). */
  resolveParent(p: string): Resolution {
    if (p === "/") return { ok: true, path: "/", via: NO_VIA };
    const pp = parentOf(p);
    const parent = this.resolveDir(pp);
    return parent.ok ? { ok: true, path: parent.path === pp ? p : joinImage(parent.path, baseName(p)), via: parent.via } : parent;
  }

  resolve(p: string, followLast: boolean): Resolution {
    return followLast ? this.resolveDir(p) : this.resolveParent(p);
  }
}
