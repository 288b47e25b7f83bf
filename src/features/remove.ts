// remove(path, must_exist=true): deletes a path (a directory with everything under it; a symlink itself).
import { z } from "zod";
import { normalizeImagePath } from "../image/path.js";
import { removeIn } from "../image/fsops.js";
import { EXISTS, asFeatureError, describeFeature, featureError, imagePathSchema, labelSchema, requirePath } from "./common.js";
import type { FeatureModule } from "./types.js";

const schema = z.strictObject({
  type: z.literal("remove"),
  label: labelSchema,
  path: imagePathSchema,
  must_exist: z.boolean().optional().default(true),
});
export type Remove = z.infer<typeof schema>;

export const remove: FeatureModule<Remove> = {
  type: "remove",
  phase: "remove",
  schema: schema as unknown as z.ZodType<Remove>,
  describe: (f) => describeFeature("remove", { path: f.path }),
  analyze(f, ctx) {
    const name = this.describe(f);
    if (normalizeImagePath(f.path) === "/") throw featureError(ctx, name, "schema", "cannot remove the image root", "a path below /", "/");
    // The depgraph accepts a dangling symlink here for `exists`: removing a link needs only the link.
    return { requires: f.must_exist !== false ? [requirePath(f.path, EXISTS)] : [], provides: [] };
  },
  async compile(f, ctx) {
    const name = this.describe(f);
    await asFeatureError(ctx, name, () => {
      const r = removeIn(ctx.root, f.path, ctx.epoch);
      if (r === null) {
        if (f.must_exist !== false) throw featureError(ctx, name, "missing", `"${f.path}" does not exist`, "an existing path", "nothing there");
        return;
      }
      ctx.removed(r.imagePath);
    });
  },
};
