// Layout of one layer in the working volume (see docs/storage.md):
//   layers/<name>/root        the tree (btrfs subvolume, or a directory for the copy backend)
//   layers/<name>/facts/      the facts record
//   layers/<name>/layer.json  label, phase, creation time; once the facts record is written, the layer whose facts
//                             record it builds on (factsParent: its name, or null for a self-contained record)
//   layers/<name>/building    present while a runner builds it: "<pid> <process start time>"
//   outputs/<sha256 of OUT>   registry of published outputs: the absolute OUT path (gc keeps what they point to)
//   throwaway/snap-*/root     writable snapshots for image tests and shells; snap-*/owner names the process using it
import { createHash, randomBytes } from "node:crypto";
import { existsSync, lstatSync, readFileSync, readdirSync, readlinkSync, rmSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { StrataError } from "../errors.js";
import { replaceSymlink, writeFileAtomic } from "./atomic.js";
import { withLock } from "./lock.js";
import { selfToken } from "./liveness.js";
import type { WorkingVolume } from "./volume.js";

export const TREE_DIR = "root";
export const FACTS_DIR = "facts";
export const INFO_FILE = "layer.json";
export const BUILDING_FILE = "building";
export const THROWAWAY_DIR = "throwaway";
export const THROWAWAY_OWNER_FILE = "owner";
/** portable phases' layers by key (src/portable/chain.ts) */
export const CHAINS_DIR = "chains";

export interface LayerPaths {
  name: string;
  dir: string;
  tree: string;
  facts: string;
}

export interface LayerInfoFile {
  label: string;
  phase: string;
  created: string;
  /**
   * set once the layer's facts record is written: the name of the layer whose facts record this one builds on
   * (gc keeps that record while this layer lives), or null when the record stands alone
   */
  factsParent?: string | null;
}

export function layerPaths(dir: string): LayerPaths {
  return { name: basename(dir), dir, tree: join(dir, TREE_DIR), facts: join(dir, FACTS_DIR) };
}

function newLayerName(label: string, phase: string): string {
  const slug = `${label}-${phase}`.replace(/[^A-Za-z0-9_.-]+/g, "_").replace(/^[_.-]+/, "").slice(0, 80);
  return `${slug}-${Date.now().toString(36)}-${randomBytes(6).toString("hex")}`;
}

export function gcLockPath(wv: WorkingVolume): string {
  return join(wv.store, "gc.lock");
}

/** a fresh layer directory, marked as being built by this process (under the gc lock, so gc never sees it unmarked) */
export async function beginLayer(wv: WorkingVolume, label: string, phase: string): Promise<LayerPaths> {
  const dir = join(wv.layersDir, newLayerName(label, phase));
  await withLock(gcLockPath(wv), async () => {
    await mkdir(dir);
    await writeFile(join(dir, BUILDING_FILE), selfToken());
  });
  const info: LayerInfoFile = { label, phase, created: new Date().toISOString() };
  await writeFile(join(dir, INFO_FILE), JSON.stringify(info));
  return layerPaths(dir);
}

/** Records that the layer's facts record is written, and which layer's record it builds on (null: none). */
export async function recordFactsWritten(layer: LayerPaths, factsParent: LayerPaths | null): Promise<void> {
  const info = readLayerInfo(layer.dir);
  if (info === undefined) throw new Error(`layer record ${join(layer.dir, INFO_FILE)} is missing`);
  await writeFileAtomic(join(layer.dir, INFO_FILE), JSON.stringify({ ...info, factsParent: factsParent?.name ?? null }));
}

export function outputRegistryEntry(wv: WorkingVolume, out: string): string {
  return join(wv.outputsDir, createHash("sha256").update(out).digest("hex"));
}

/**
 * Makes OUT a symlink to the finished (sealed, facts written) layer: a new symlink renamed over OUT, so a crash
 * leaves OUT at the previous layer or the new one. Under the gc lock so gc never sees the layer neither live nor building.
 */
export async function publishLayer(wv: WorkingVolume, layer: LayerPaths, outArg: string): Promise<string> {
  const out = resolve(outArg);
  await mkdir(dirname(out), { recursive: true });
  await withLock(gcLockPath(wv), async () => {
    removeKilledPublishTemps(out);
    await writeFileAtomic(outputRegistryEntry(wv, out), out);
    await replaceSymlink(out, layer.tree);
    await rm(join(layer.dir, BUILDING_FILE), { force: true });
  });
  return out;
}

/**
 * Temporary siblings of OUT (`.<OUT>.tmp-<pid>-<rand>`, see atomic.ts) exist only while a publish of OUT holds the
 * gc lock, which this one holds now: any there is the leftover of a killed publish. (Those in the output registry
 * are gc's to remove.)
 */
function removeKilledPublishTemps(out: string): void {
  const prefix = `.${basename(out)}.tmp-`;
  let names: string[];
  try {
    names = readdirSync(dirname(out));
  } catch {
    return;
  }
  for (const n of names) if (n.startsWith(prefix) && /^\d+-[0-9a-f]+$/.test(n.slice(prefix.length))) rmSync(join(dirname(out), n), { force: true });
}

export function readLayerInfo(dir: string): LayerInfoFile | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, INFO_FILE), "utf8")) as LayerInfoFile;
  } catch {
    return undefined;
  }
}

export interface ResolveOptions {
  /** label of the layer being built, for messages */
  label: string;
  /** what the output is to the caller, for messages: "parent layer", "source layer" */
  role: string;
}

/** the layer an OUT symlink points to; a StrataError that says how to recover when it is missing or dangling */
export function resolveLayerOutput(outArg: string, opts: ResolveOptions): LayerPaths {
  const out = resolve(outArg);
  let st;
  try {
    st = lstatSync(out);
  } catch {
    throw new StrataError({
      kind: "parent",
      label: opts.label,
      message: `the ${opts.role} output ${out} does not exist`,
      expected: "the output symlink of a layer built by `strata compile`",
      found: "no such file",
      notes: [`build the ${opts.role} first (with Buck2: \`buck2 build <its label>\`)`],
    });
  }
  if (!st.isSymbolicLink()) {
    throw new StrataError({
      kind: "parent",
      label: opts.label,
      message: `the ${opts.role} output ${out} is not a layer`,
      expected: "a symlink to a layer in a strata working volume",
      found: st.isDirectory() ? "a directory" : "a regular file",
    });
  }
  const target = readlinkSync(out);
  const layer = layerPaths(dirname(resolve(dirname(out), target)));
  const info = readLayerInfo(layer.dir);
  if (existsSync(layer.tree) && info === undefined) {
    throw new StrataError({
      kind: "parent",
      label: opts.label,
      message: `the ${opts.role} ${out} has no readable ${INFO_FILE}`,
      expected: `a layer published by \`strata compile\` (with ${join(layer.dir, INFO_FILE)})`,
      found: "no such file, or not JSON",
    });
  }
  // a layer whose record never got its factsParent was not finished (its facts record may be missing)
  if (!existsSync(layer.tree) || info?.factsParent === undefined) {
    const rebuild = info !== undefined ? `buck2 build ${info.label}` : "buck2 build <label of the " + opts.role + ">";
    throw new StrataError({
      kind: "parent",
      label: opts.label,
      message: `the ${opts.role} output ${out} is dangling: its layer is gone (removed by \`strata gc\` or by hand)`,
      expected: `a published layer at ${layer.tree}`,
      found: "nothing there",
      notes: [
        `to recover, rebuild the ${opts.role}${info !== undefined ? ` (${info.label})` : ""}: with Buck2 run \`${rebuild}\`,`,
        `or delete ${out} so that the build system rebuilds it`,
      ],
    });
  }
  return layer;
}
