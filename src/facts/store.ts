// Writes a layer's facts record: a delta on the parent's record, or a full record when there is no parent
// record or the chain got long (compaction). Written into a temporary directory, then renamed into place.
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { tempSibling } from "../storage/atomic.js";
import type { DeltaLevel } from "./delta.js";
import { DELTA_FILE, FACTS_FORMAT, type FactsMeta, INDEX_FILE, META_FILE, PATHS_FILE, ancestorsOf } from "./format.js";
import { writeFullPaths } from "./full.js";
import type { LayerFacts, LayerInfo } from "./view.js";

/** longest chain of delta records before a full record is written */
export const MAX_CHAIN_DEPTH = 16;
/** delta entries a chain may hold before compaction: at least this many, or an eighth of the layer's paths */
export const MIN_CHAIN_ENTRIES = 4096;

export interface NewRecord {
  label: string;
  phase: string;
  parent: LayerFacts;
  delta: DeltaLevel;
  info: LayerInfo;
  /** force a full record (tests) */
  full?: boolean;
}

function countPaths(parent: LayerFacts, delta: DeltaLevel): number {
  let count = parent.meta?.pathCount ?? 0;
  for (const t of delta.removed) {
    if (ancestorsOf(t).some((a) => delta.removed.has(a))) continue;
    if (parent.path(t) === undefined) continue;
    count -= 1;
    for (const _ of parent.listUnder(t)) count -= 1;
  }
  for (const p of delta.upserts.keys()) {
    if (parent.path(p) === undefined || delta.hides(p)) count += 1;
  }
  return count;
}

export async function writeFactsRecord(dir: string, rec: NewRecord): Promise<FactsMeta> {
  const pathCount = countPaths(rec.parent, rec.delta);
  const pm = rec.parent.meta;
  const depth = pm === null ? 0 : pm.depth + 1;
  const chainEntries = pm === null ? 0 : pm.chainEntries + rec.delta.size;
  const full =
    rec.full === true ||
    pm === null ||
    rec.parent.dir === null ||
    depth > MAX_CHAIN_DEPTH ||
    chainEntries > Math.max(MIN_CHAIN_ENTRIES, pathCount / 8);
  const meta: FactsMeta = {
    format: FACTS_FORMAT,
    label: rec.label,
    phase: rec.phase,
    kind: full ? "full" : "delta",
    parent: full ? null : rec.parent.dir,
    depth: full ? 0 : depth,
    chainEntries: full ? 0 : chainEntries,
    pathCount,
    users: rec.info.users,
    groups: rec.info.groups,
    mounts: rec.info.mounts,
  };
  const tmp = tempSibling(dir);
  await mkdir(tmp, { recursive: true });
  try {
    if (full) {
      const index = await writeFullPaths(join(tmp, PATHS_FILE), rec.parent.withDelta(rec.delta, rec.info).all());
      await writeFile(join(tmp, INDEX_FILE), JSON.stringify(index));
    } else {
      await writeFile(join(tmp, DELTA_FILE), JSON.stringify(rec.delta.toData()));
    }
    await writeFile(join(tmp, META_FILE), JSON.stringify(meta));
    await rename(tmp, dir);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  return meta;
}
