// Materialised chains in a working volume: `chains/<key>` is a symlink (registered like an OUT, but keeping no layer
// alive: gc removes it with its layer) to the layer whose tree and facts the key names. A phase action or a materialisation finds
// the deepest ancestor already there and applies only the diffs below it.
import { existsSync, readFileSync } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { StrataError } from "../errors.js";
import { DeltaLevel } from "../facts/delta.js";
import { writeFactsRecord } from "../facts/store.js";
import { emptyFacts, openFacts } from "../facts/view.js";
import { sha256File } from "../packaging/diff.js";
import { beginLayer, CHAINS_DIR, publishLayer, readLayerInfo, recordFactsWritten, resolveLayerOutput, type LayerPaths } from "../storage/layers.js";
import { removeTree } from "../storage/remove.js";
import type { WorkingVolume } from "../storage/volume.js";
import { throwIfCancelled } from "../request-context.js";
import { applyDiff } from "./apply.js";
import { tracer } from "../compile.js";
import { chainKey, readKey, readRecord } from "./format.js";

export interface ChainLink {
  /** files: the phase's key, diff tar and record (action outputs) */
  keyFile: string;
  diff: string;
  record: string;
}

export function chainOut(wv: WorkingVolume, key: string): string {
  return join(wv.store, CHAINS_DIR, key);
}

/** the finished layer chains/<key> points to, or undefined */
export function findChain(wv: WorkingVolume, key: string, label: string): LayerPaths | undefined {
  const out = chainOut(wv, key);
  if (!existsSync(out)) return undefined;
  try {
    const layer = resolveLayerOutput(out, { label, role: "materialised parent" });
    return readLayerInfo(layer.dir)?.factsParent !== undefined ? layer : undefined;
  } catch {
    return undefined;
  }
}

/** a new layer: `parent`'s tree (or an empty one) with the link's diff applied, its facts written, published at chains/<key> */
export async function materialiseLink(
  wv: WorkingVolume,
  parent: LayerPaths | undefined,
  parentKey: string | undefined,
  link: ChainLink,
  label: string,
  opts: { consumeParent?: boolean } = {},
): Promise<LayerPaths> {
  const trace = tracer();
  const key = readKey(link.keyFile, label);
  const record = readRecord(link.record, label);
  const recordText = readFileSync(link.record, "utf8");
  const expected = chainKey(parentKey, await sha256File(link.diff), recordText);
  if (expected !== key) {
    throw new StrataError({
      label,
      message: `the phase outputs of ${record.label} (${record.phase}) do not match their key`,
      expected: key,
      found: `${expected} (from ${link.diff}, ${link.record} and the parent's key)`,
      notes: ["an action output was changed after it was written, or the parent chain differs: rebuild the layer"],
    });
  }
  trace("materialise: read and check the key");
  const layer = await beginLayer(wv, record.label, record.phase);
  trace("materialise: layer directory");
  try {
    // a scratch store needs no intermediate tree: the parent's moves on (plain copies cost what the tree holds)
    if (parent !== undefined && opts.consumeParent === true) await rename(parent.tree, layer.tree);
    else if (parent !== undefined) await wv.backend.snapshot(parent.tree, layer.tree);
    else await wv.backend.createEmpty(layer.tree);
    trace("materialise: snapshot");
    await applyDiff(layer.tree, link.diff, record, label);
    trace("materialise: apply the diff");
    await wv.backend.setReadOnly(layer.tree);
    trace("materialise: seal");
    const parentFacts = parent !== undefined ? openFacts(parent.facts) : emptyFacts();
    const meta = await writeFactsRecord(layer.facts, { label: record.label, phase: record.phase, parent: parentFacts, delta: new DeltaLevel(record.delta), info: record.info });
    await recordFactsWritten(layer, meta.kind === "delta" ? (parent ?? null) : null);
    trace("materialise: facts");
    await publishLayer(wv, layer, chainOut(wv, key));
    trace("materialise: publish the chain entry");
    return layer;
  } catch (e) {
    await removeTree(layer.tree).catch(() => {});
    await rm(layer.dir, { recursive: true, force: true }).catch(() => {});
    throw e;
  }
}

/** the layer at the end of `links` (root first) in this volume, materialising what is missing; undefined for none */
export async function ensureChain(
  wv: WorkingVolume,
  links: ChainLink[],
  label: string,
  opts: { scratch?: boolean } = {},
): Promise<{ layer: LayerPaths; key: string } | undefined> {
  if (links.length === 0) return undefined;
  const keys = links.map((l) => readKey(l.keyFile, label));
  let start = links.length;
  let layer: LayerPaths | undefined;
  while (start > 0) {
    layer = findChain(wv, keys[start - 1]!, label);
    if (layer !== undefined) break;
    start -= 1;
  }
  for (let i = start; i < links.length; i++) {
    throwIfCancelled();
    layer = await materialiseLink(wv, layer, i > 0 ? keys[i - 1] : undefined, links[i]!, label, { consumeParent: opts.scratch === true && wv.backend.kind === "copy" });
  }
  return { layer: layer!, key: keys[keys.length - 1]! };
}
