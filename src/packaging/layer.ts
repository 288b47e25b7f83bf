// The tree a package is made from: the read-only subvolume a layer's OUT symlink points to.
import { resolveLayerOutput } from "../storage/layers.js";

export function layerTree(outArg: string, label: string, role = "layer"): string {
  return resolveLayerOutput(outArg, { label, role }).tree;
}
