// FactsView over a chain of facts records: a layer's own record, then its parent's, down to the nearest full one.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { FactsView, GroupFact, MountFact, PathFact, UserFact } from "../types.js";
import { DeltaLevel, type DeltaData } from "./delta.js";
import { DELTA_FILE, FACTS_FORMAT, type FactsMeta, type FullIndex, INDEX_FILE, META_FILE, PATHS_FILE } from "./format.js";
import { FullPaths } from "./full.js";

export type Level = { kind: "delta"; delta: DeltaLevel } | { kind: "full"; full: FullPaths };

export interface LayerInfo {
  users: UserFact[];
  groups: GroupFact[];
  mounts: MountFact[];
}

export class LayerFacts implements FactsView {
  private readonly userMap: Map<string, UserFact>;
  private readonly groupMap: Map<string, GroupFact>;

  constructor(
    /** the levels, this layer's first; empty for a layer without facts (no parent) */
    readonly levels: readonly Level[],
    readonly info: LayerInfo,
    /** the record on disk; null for an in-memory view */
    readonly meta: FactsMeta | null = null,
    readonly dir: string | null = null,
  ) {
    this.userMap = new Map(info.users.map((u) => [u.name, u]));
    this.groupMap = new Map(info.groups.map((g) => [g.name, g]));
  }

  path(p: string): PathFact | undefined {
    for (const lv of this.levels) {
      if (lv.kind === "full") return lv.full.get(p);
      const hit = lv.delta.upserts.get(p);
      if (hit !== undefined) return hit;
      if (lv.delta.hides(p)) return undefined;
    }
    return undefined;
  }

  listUnder(dir: string): Iterable<PathFact> {
    return listAt(this.levels, 0, dir);
  }

  /** every path including `/`, sorted */
  *all(): Generator<PathFact> {
    const root = this.path("/");
    if (root !== undefined) yield root;
    yield* this.listUnder("/");
  }

  user(name: string): UserFact | undefined {
    return this.userMap.get(name);
  }
  group(name: string): GroupFact | undefined {
    return this.groupMap.get(name);
  }
  users(): Iterable<UserFact> {
    return this.info.users;
  }
  groups(): Iterable<GroupFact> {
    return this.info.groups;
  }
  mounts(): MountFact[] {
    return [...this.info.mounts];
  }

  /** this view with `delta` on top: what the child will record */
  withDelta(delta: DeltaLevel, info: LayerInfo): LayerFacts {
    return new LayerFacts([{ kind: "delta", delta }, ...this.levels], info);
  }
}

function* listAt(levels: readonly Level[], i: number, dir: string): Generator<PathFact> {
  const lv = levels[i];
  if (lv === undefined) return;
  if (lv.kind === "full") {
    yield* lv.full.listUnder(dir);
    return;
  }
  const delta = lv.delta;
  const mine = delta.upsertsUnder(dir);
  const below = listAt(levels, i + 1, dir);
  let a = mine.next();
  let b = nextVisible(below, delta);
  while (!a.done || !b.done) {
    if (b.done || (!a.done && a.value.path < b.value.path)) {
      yield a.value!;
      a = mine.next();
    } else {
      yield b.value;
      b = nextVisible(below, delta);
    }
  }
}

function nextVisible(it: Generator<PathFact>, delta: DeltaLevel): IteratorResult<PathFact> {
  for (;;) {
    const r = it.next();
    if (r.done) return r;
    if (!delta.upserts.has(r.value.path) && !delta.hides(r.value.path)) return r;
  }
}

export function emptyFacts(): LayerFacts {
  return new LayerFacts([], { users: [], groups: [], mounts: [] });
}

/** records are immutable once published, so one process can share them between views */
const opened = new Map<string, LayerFacts>();

export function openFacts(dir: string): LayerFacts {
  const hit = opened.get(dir);
  if (hit !== undefined) return hit;
  const metaFile = join(dir, META_FILE);
  if (!existsSync(metaFile)) throw new Error(`no facts record at ${dir}`);
  const meta = JSON.parse(readFileSync(metaFile, "utf8")) as FactsMeta;
  if (meta.format !== FACTS_FORMAT) throw new Error(`facts record ${dir} has format ${String(meta.format)}, expected ${FACTS_FORMAT}`);
  let levels: Level[];
  if (meta.kind === "full") {
    const index = JSON.parse(readFileSync(join(dir, INDEX_FILE), "utf8")) as FullIndex;
    levels = [{ kind: "full", full: new FullPaths(join(dir, PATHS_FILE), index) }];
  } else {
    if (meta.parent === null) throw new Error(`delta facts record ${dir} names no parent`);
    const data = JSON.parse(readFileSync(join(dir, DELTA_FILE), "utf8")) as DeltaData;
    levels = [{ kind: "delta", delta: new DeltaLevel(data) }, ...openFacts(meta.parent).levels];
  }
  const view = new LayerFacts(levels, { users: meta.users, groups: meta.groups, mounts: meta.mounts }, meta, dir);
  opened.set(dir, view);
  return view;
}
