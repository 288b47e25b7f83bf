// hardlink(link, target): a second name for an existing regular file of the image (antlir2's feature.hardlink).
// The target must be a file by the time the link is made (ordered); the link's parent must be a directory.
// Both ends are resolved inside the image, so a symlinked parent cannot point the link at the host.
import { linkSync } from "node:fs";
import { z } from "zod";
import { normalizeImagePath } from "../image/path.js";
import { lstatOrNull, resolveInImage, resolveParentInImage } from "../image/resolve.js";
import { touchTimes } from "../image/fsops.js";
import { IS_FILE, asFeatureError, describeFeature, featureError, imagePathSchema, labelSchema, requireParentDir, requirePath } from "./common.js";
import type { FeatureModule } from "./types.js";

const schema = z.strictObject({
  type: z.literal("hardlink"),
  label: labelSchema,
  link: imagePathSchema,
  target: imagePathSchema,
});
export type Hardlink = z.infer<typeof schema>;

export const hardlink: FeatureModule<Hardlink> = {
  type: "hardlink",
  phase: "compile",
  schema,
  describe: (f) => describeFeature("hardlink", { link: f.link, target: f.target }),
  analyze(f, ctx) {
    const link = normalizeImagePath(f.link);
    // the link IS the target's inode: it has the target's mode (known when the parent layer has the target)
    const mode = ctx.parent.path(normalizeImagePath(f.target))?.mode ?? 0o444;
    return {
      requires: [requireParentDir(link), requirePath(f.target, IS_FILE)],
      provides: [{ kind: "path", path: link, fileType: "file", mode }],
    };
  },
  async compile(f, ctx) {
    const name = this.describe(f);
    await asFeatureError(ctx, name, () => {
      const target = resolveInImage(ctx.root, f.target, false);
      const st = lstatOrNull(target.hostPath);
      if (st === null || !st.isFile()) throw featureError(ctx, name, "unsatisfied", `the target "${f.target}" is not a regular file of the image`, "a regular file", st === null ? "nothing" : "another kind of entry");
      const link = resolveParentInImage(ctx.root, f.link);
      const parent = resolveInImage(ctx.root, link.imagePath.slice(0, link.imagePath.lastIndexOf("/")) || "/");
      const pst = lstatOrNull(parent.hostPath);
      if (pst === null || !pst.isDirectory()) throw featureError(ctx, name, "unsatisfied", `the parent of "${f.link}" is not a directory of the image`, "a directory", "missing or not a directory");
      if (lstatOrNull(link.hostPath) !== null) throw featureError(ctx, name, "conflict", `"${f.link}" already exists`, "a new path", "an existing entry");
      linkSync(target.hostPath, link.hostPath);
      touchTimes(parent.hostPath, ctx.epoch);
      ctx.touched(link.imagePath);
    });
  },
};


