// A layer is a snapshot of its parent, so the parent must be a layer of the same working volume: a btrfs snapshot
// cannot cross filesystems (EXDEV), and a facts record pointing into another volume would outlive that volume's gc.
// This happens when a checkout is copied together with its buck-out: the output symlinks still point at the other
// checkout's volume.
import { realpathSync } from "node:fs";
import { dirname } from "node:path";
import { StrataError } from "../errors.js";
import { readLayerInfo, type LayerPaths } from "./layers.js";
import type { WorkingVolume } from "./volume.js";

function real(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

export function requireOnVolume(wv: WorkingVolume, layer: LayerPaths, opts: { label: string; role: string; out: string }): void {
  const here = real(wv.layersDir);
  const there = real(dirname(layer.dir));
  if (here === there) return;
  const info = readLayerInfo(layer.dir);
  const rebuild = info !== undefined ? `\`buck2 build ${info.label}\`` : `a build of the ${opts.role}`;
  throw new StrataError({
    label: opts.label,
    message: `the ${opts.role} ${info !== undefined ? `${info.label} ` : ""}was built in another working volume`,
    expected: `a layer of this build's working volume (${here})`,
    found: `${opts.out} -> a layer in ${there}`,
    notes: [
      "a layer is a snapshot of its parent, which only works inside one working volume; this happens when a checkout is copied together with its buck-out",
      `to recover, delete ${opts.out} (or the whole buck-out of this checkout) and run ${rebuild} again, so the ${opts.role} is rebuilt here`,
    ],
  });
}
