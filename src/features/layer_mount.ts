// layer_mount(source, mountpoint): compile only creates the empty mountpoint (0o555); the mount itself happens
// when the image runs. The phase's Mount items (see mountsOf in src/depgraph) go into the layer's facts.
import { z } from "zod";
import { normalizeImagePath } from "../image/path.js";
import { mkdirIn } from "../image/fsops.js";
import { asFeatureError, describeFeature, imagePathSchema, labelSchema, requireParentDir } from "./common.js";
import type { FeatureModule } from "./types.js";

const schema = z.strictObject({
  type: z.literal("layer_mount"),
  label: labelSchema,
  source: z.string().min(1),
  mountpoint: imagePathSchema,
});
export type LayerMount = z.infer<typeof schema>;

export const layerMount: FeatureModule<LayerMount> = {
  type: "layer_mount",
  phase: "compile",
  schema,
  describe: (f) => describeFeature("layer_mount", { source: f.source, mountpoint: f.mountpoint }),
  analyze(f) {
    const mountpoint = normalizeImagePath(f.mountpoint);
    return { requires: [requireParentDir(mountpoint)], provides: [{ kind: "mount", path: mountpoint, source: f.source }] };
  },
  async compile(f, ctx) {
    await asFeatureError(ctx, this.describe(f), () => {
      const r = mkdirIn(ctx.root, f.mountpoint, { mode: 0o555, uid: 0, gid: 0, epoch: ctx.epoch });
      if (r.created) ctx.touched(r.imagePath);
    });
  },
};
