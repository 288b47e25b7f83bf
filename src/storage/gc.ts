// Garbage collection of the working volume: removes layers that no registered output points to and that are
// older than the grace period, and at once the leftovers of builds whose runner died before publishing. A dead layer
// whose facts record a live layer's record builds on keeps its facts. The same rules hold for every working volume
// nested in this one's store (`strata local repro` builds in `repro/<tag>-<round>`), which goes entirely once it
// holds nothing; any other tree strata made in the store, which no output or chain can point to, goes after the
// grace period.
import { existsSync, lstatSync, readFileSync, readdirSync, readlinkSync, rmdirSync, statSync } from "node:fs";
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
  /** working volumes nested in the store (`repro/<tag>-<round>`), removed once empty; their layers are counted above */
  nestedRemoved: string[];
  /** subvolumes elsewhere in the store: in no layer, so needed by no output or chain */
  straysRemoved: string[];
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
    // an output whose layer is gone (removed by `strata clean` or by hand) holds nothing
    if (basename(target) === TREE_DIR && dirname(dirname(target)) === wv.layersDir && existsSync(dirname(target))) live.add(basename(dirname(target)));
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
  const result: GcResult = { tempsRemoved: [], removed: [], factsKept: [], kept: [], throwawaysRemoved: [], nestedRemoved: [], straysRemoved: [] };
  await collectVolume(wv, graceSeconds, now, result);
  await collectBeside(wv, wv.store, graceSeconds, now, result);
  return result;
}

async function collectVolume(wv: WorkingVolume, graceSeconds: number, now: number, result: GcResult): Promise<void> {
  await withLock(gcLockPath(wv), async () => {
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
    result.throwawaysRemoved.push(...(await removeAbandonedThrowaways(wv, graceSeconds, now)));
  });
}

/** what a store holds besides its layers: the directories gc reads above, never walked for strays */
const STORE_ENTRIES = new Set(["layers", "outputs", CHAINS_DIR, THROWAWAY_DIR]);

/** a working volume's store (openWorkingVolume makes both directories) */
function isStore(dir: string): boolean {
  return existsSync(join(dir, "layers")) && existsSync(join(dir, "outputs"));
}

/**
 * The store's other directories: a nested working volume is collected by the same rules (under its own lock) and
 * removed once it holds nothing and nothing happened in it for the grace period; on btrfs, a tree strata made
 * (a subvolume, whose first inode is 256, called `root`) that is in no layer of a store goes once its ctime is older
 * than the grace period.
 */
async function collectBeside(wv: WorkingVolume, dir: string, graceSeconds: number, now: number, result: GcResult): Promise<void> {
  for (const name of readdirSync(dir).sort()) {
    // a lock directory (proper-lockfile's `<lock>.lock`) may be held right now
    if ((dir === wv.store && STORE_ENTRIES.has(name)) || name.endsWith(".lock")) continue;
    const path = join(dir, name);
    const st = lstatSync(path);
    if (!st.isDirectory()) continue;
    if (isStore(path)) {
      const nested: WorkingVolume = { ...wv, dir: path, store: path, layersDir: join(path, "layers"), outputsDir: join(path, "outputs") };
      // the last layer made or removed there, before this gc removes any
      const quietSeconds = (now - statSync(nested.layersDir).mtimeMs) / 1000;
      await collectGarbage(nested, graceSeconds, now).then((r) => {
        for (const k of Object.keys(result) as (keyof GcResult)[]) result[k].push(...r[k]);
      });
      if (quietSeconds < graceSeconds) continue;
      // checked again under its lock, which a build takes to begin a layer; the lock's own files go after it
      const emptied = await withLock(gcLockPath(nested), async () => {
        if (!holdsNothing(nested)) return false;
        for (const d of ["layers", "outputs", CHAINS_DIR, THROWAWAY_DIR]) await rm(join(path, d), { recursive: true, force: true });
        return true;
      });
      if (emptied) {
        await rm(path, { recursive: true, force: true });
        result.nestedRemoved.push(path);
      }
      continue;
    }
    if (wv.backend.kind === "btrfs" && st.ino === 256) {
      // every tree strata makes is called `root` (layers/<name>/root, throwaway/<name>/root); another subvolume in
      // a working volume named by hand is someone else's
      if (name === TREE_DIR && (now - st.ctimeMs) / 1000 >= graceSeconds) {
        await removeTree(path);
        result.straysRemoved.push(path);
      }
      continue;
    }
    await collectBeside(wv, path, graceSeconds, now, result);
    // the directories that held what went (`repro/`), once nothing else happened in them for the grace period
    if (readdirSync(path).length === 0 && (now - st.mtimeMs) / 1000 >= graceSeconds) rmdirSync(path);
  }
}

/** no layer, no throwaway snapshot, no registered output: a nested working volume gc may remove */
function holdsNothing(v: WorkingVolume): boolean {
  const empty = (d: string): boolean => !existsSync(d) || readdirSync(d).filter((n) => !n.startsWith(".")).length === 0;
  return empty(v.layersDir) && empty(v.outputsDir) && empty(join(v.store, THROWAWAY_DIR));
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
