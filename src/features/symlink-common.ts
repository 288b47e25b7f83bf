// What ensure_file_symlink and ensure_dir_symlink share: the target must exist as a file / directory (relative
// targets resolve against the link's directory); the link is written with the raw text.
import { z } from "zod";
import { normalizeImagePath, symlinkDestination } from "../image/path.js";
import { symlinkIn } from "../image/fsops.js";
import { IS_DIR, IS_FILE, asFeatureError, describeFeature, featureError, imagePathSchema, labelSchema, requireParentDir, requirePath } from "./common.js";
import type { FeatureModule } from "./types.js";

export function symlinkSchema<T extends string>(type: T) {
  return z.strictObject({
    type: z.literal(type),
    label: labelSchema,
    link: imagePathSchema,
    target: z.string().min(1),
  });
}

export type SymlinkFeature = z.infer<ReturnType<typeof symlinkSchema<string>>>;

export function symlinkModule<T extends SymlinkFeature>(type: T["type"], schema: z.ZodType<T>, isDir: boolean): FeatureModule<T> {
  return {
    type,
    phase: "compile",
    schema,
    describe: (f) => describeFeature(type, { link: f.link, target: f.target }),
    analyze(f, ctx) {
      const link = normalizeImagePath(f.link);
      const dest = symlinkDestination(link, f.target);
      if (dest === null) throw featureError(ctx, this.describe(f), "schema", `the target "${f.target}" leads outside the image`, "a target inside the image", f.target);
      return {
        requires: [requireParentDir(link), requirePath(dest, isDir ? IS_DIR : IS_FILE)],
        provides: [{ kind: "symlink", path: link, target: f.target }],
      };
    },
    async compile(f, ctx) {
      await asFeatureError(ctx, this.describe(f), () => {
        ctx.touched(symlinkIn(ctx.root, f.link, f.target, { uid: 0, gid: 0, epoch: ctx.epoch }).imagePath);
      });
    },
  };
}
