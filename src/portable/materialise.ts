// The local layer of a phase (a local_only action after each portable phase): the tree chains/<key> names when the
// working volume has it (the phase ran here), else the parent's layer snapshotted with the phase's diff applied
// (the phase's outputs came from a cache or a remote worker). OUT then points to it, as `strata compile` leaves it.
import { resolve } from "node:path";
import { StrataError } from "../errors.js";
import { publishLayer, resolveLayerOutput } from "../storage/layers.js";
import { openWorkingVolume } from "../storage/volume.js";
import { requireOnVolume } from "../storage/same-volume.js";
import { findChain, materialiseLink, type ChainLink } from "./chain.js";
import { readKey } from "./format.js";

export interface MaterialiseOptions {
  label: string;
  link: ChainLink;
  /** the parent phase's layer OUT */
  parent?: string;
  parentKeyFile?: string;
  out: string;
  workingVolume?: string;
}

export async function runMaterialise(opts: MaterialiseOptions): Promise<string> {
  const label = opts.label;
  if ((opts.parent === undefined) !== (opts.parentKeyFile === undefined)) {
    throw new StrataError({ label, message: "--parent and --parent-key go together", expected: "both or neither", found: opts.parent !== undefined ? "--parent alone" : "--parent-key alone" });
  }
  const wv = await openWorkingVolume({ dir: opts.workingVolume, label });
  const key = readKey(opts.link.keyFile, label);
  let layer = findChain(wv, key, label);
  if (layer === undefined) {
    const parent = opts.parent !== undefined ? resolveLayerOutput(opts.parent, { label, role: "parent layer" }) : undefined;
    if (parent !== undefined) requireOnVolume(wv, parent, { label, role: "parent layer", out: resolve(opts.parent!) });
    const parentKey = opts.parentKeyFile !== undefined ? readKey(opts.parentKeyFile, label) : undefined;
    layer = await materialiseLink(wv, parent, parentKey, opts.link, label);
  }
  return publishLayer(wv, layer, opts.out);
}
