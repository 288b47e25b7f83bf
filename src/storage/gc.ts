// Garbage collection of the working volume: removes layers that no registered output points to and that are
// older than the grace period, and at once the leftovers of builds whose runner died before publishing. A dead layer whose facts record a live layer's record builds on keeps its facts.
import { existsSync, readFileSync, readdirSync, readlinkSync, statSync } from "node:fs";
import { rm } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { BUILDING_FILE, CHAINS_DIR, INFO_FILE, outputRegistryEntry, THROWAWAY_DIR, THROWAWAY_OWNER_FILE, TREE_DIR, gcLockPath, readLayerInfo } from "./layers.js";
import { tokenAlive } from "./liveness.js";
import { withLock } from "./lock.js";
import { removeTree } from "./remove.js";
import type { WorkingVolume } from "./volume.js";

export const DEFAULT_GRACE_SECONDS = 24 * 60 * 60;

/** what writeFileAtomic / replaceSymlink leave behind when killed between write and rename (atomic.ts) */
const TEMP_SIBLING = /^\..+\.tmp-\d+-[0-9a-f]+$/;

export interface GcResult {
  /** temporary files of publishes killed half-way (outputs/.<sha>.tmp-<pid>-<rand>) */
  tempsRemoved: string[];
  /** layers removed entirely */
  removed: string[];
  /** dead layers whose tree was removed but whose facts record is still needed */
  factsKept: string[];
  /** layers kept: live, being built, or younger than the grace period */
  kept: string[];
  /** throwaway snapshots (image tests, shells) whose process died without removing them */
  throwawaysRemoved: string[];
}

function liveLayers(wv: WorkingVolume, forget: string[], temps: string[]): Set<string> {
  const live = new Set<string>();
  for (const entry of readdirSync(wv.outputsDir)) {
    // publish writes its temporary files only while it holds the gc lock, which gc holds now: any one here is
    // the leftover of a publish that was killed
    if (TEMP_SIBLING.test(entry)) temps.push(join(wv.outputsDir, entry));
    if (entry.startsWith(".")) continue;
    const file = join(wv.outputsDir, entry);
    const out = readFileSync(file, "utf8");
    // a chain entry (portable phases: chains/<key>) finds a layer again by its key, but keeps it alive for no one:
    // once no other output holds the layer it goes with it (forgetRemovedChains)
    if (dirname(out) === join(wv.store, CHAINS_DIR)) continue;
    let target: string;
    try {
      target = resolve(dirname(out), readlinkSync(out));
    } catch {
      forget.push(file);
      continue;
    }
    if (basename(target) === TREE_DIR && dirname(dirname(target)) === wv.layersDir) live.add(basename(dirname(target)));
    else forget.push(file);
  }
  return live;
}

/** layers whose facts record some live record chains to (through each layer record's factsParent) */
function factsNeeded(wv: WorkingVolume, live: Set<string>): Set<string> {
  const need = new Set<string>();
  for (const name of live) {
    let layer: string | null | undefined = name;
    while (layer != null && !need.has(layer)) {
      need.add(layer);
      layer = readLayerInfo(join(wv.layersDir, layer))?.factsParent;
    }
  }
  return need;
}

/** "running": a live process is building it; "crashed": its builder died before publishing (never publishable) */
function buildState(dir: string): "running" | "crashed" | "done" {
  let token: string;
  try {
    token = readFileSync(join(dir, BUILDING_FILE), "utf8");
  } catch {
    return "done";
  }
  return tokenAlive(token) ? "running" : "crashed";
}

function ageSeconds(dir: string, now: number): number {
  const info = join(dir, INFO_FILE);
  const st = statSync(existsSync(info) ? info : dir);
  return (now - st.mtimeMs) / 1000;
}

export async function collectGarbage(wv: WorkingVolume, graceSeconds = DEFAULT_GRACE_SECONDS, now = Date.now()): Promise<GcResult> {
  return withLock(gcLockPath(wv), async () => {
    const result: GcResult = { tempsRemoved: [], removed: [], factsKept: [], kept: [], throwawaysRemoved: [] };
    const forget: string[] = [];
    const live = liveLayers(wv, forget, result.tempsRemoved);
    for (const f of [...forget, ...result.tempsRemoved]) await rm(f, { force: true });
    const needFacts = factsNeeded(wv, live);
    for (const name of readdirSync(wv.layersDir).sort()) {
      const dir = join(wv.layersDir, name);
      const state = buildState(dir);
      if (live.has(name) || state === "running" || (state === "done" && ageSeconds(dir, now) < graceSeconds)) {
        result.kept.push(name);
        continue;
      }
      await removeTree(join(dir, TREE_DIR));
      if (needFacts.has(name)) {
        result.factsKept.push(name);
      } else {
        await rm(dir, { recursive: true, force: true });
        result.removed.push(name);
      }
    }
    await forgetRemovedChains(wv);
    result.throwawaysRemoved = await removeAbandonedThrowaways(wv, graceSeconds, now);
    return result;
  });
}

/** chain entries whose layer tree is gone, and their registry entries */
async function forgetRemovedChains(wv: WorkingVolume): Promise<void> {
  const dir = join(wv.store, CHAINS_DIR);
  if (!existsSync(dir)) return;
  for (const key of readdirSync(dir)) {
    const out = join(dir, key);
    if (existsSync(out)) continue;
    await rm(outputRegistryEntry(wv, out), { force: true });
    await rm(out, { force: true });
  }
}

/** Throwaway snapshots whose owner process is gone; one without an owner record only after the grace period. */
async function removeAbandonedThrowaways(wv: WorkingVolume, graceSeconds: number, now: number): Promise<string[]> {
  const base = join(wv.store, THROWAWAY_DIR);
  if (!existsSync(base)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(base).sort()) {
    const dir = join(base, name);
    let abandoned: boolean;
    try {
      abandoned = !tokenAlive(readFileSync(join(dir, THROWAWAY_OWNER_FILE), "utf8"));
    } catch {
      abandoned = (now - statSync(dir).mtimeMs) / 1000 >= graceSeconds;
    }
    if (!abandoned) continue;
    await removeTree(join(dir, TREE_DIR));
    await rm(dir, { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
