// ensure_subdirs_exist(into_dir, subdirs_to_create, mode, user, group): into_dir must already be a directory;
// every component of into_dir/subdirs_to_create below it is created (and provided), with `xattrs` when given.
import { z } from "zod";
import { joinImage, normalizeImagePath } from "../image/path.js";
import { resolveMode } from "../image/mode.js";
import { IS_DIR, describeFeature, imagePathSchema, labelSchema, modeSchema, ownerRequirements, ownerSchema, ownerText, requirePath } from "./common.js";
import { createDirs, dirItems } from "./ensure_dirs_exist.js";
import { xattrsSchema } from "./xattrs.js";
import type { FeatureModule } from "./types.js";

const subdirSchema = z
  .string()
  .min(1)
  .refine((s) => !s.split("/").includes(".."), { message: 'a relative path without ".."' });

const schema = z.strictObject({
  type: z.literal("ensure_subdirs_exist"),
  label: labelSchema,
  into_dir: imagePathSchema,
  subdirs_to_create: subdirSchema,
  mode: modeSchema.default(0o755),
  user: ownerSchema.default("root"),
  group: ownerSchema.default("root"),
  xattrs: xattrsSchema,
});
export type EnsureSubdirsExist = z.infer<typeof schema>;

function target(f: EnsureSubdirsExist): { base: string; dir: string } {
  const base = normalizeImagePath(f.into_dir);
  return { base, dir: normalizeImagePath(joinImage(base, f.subdirs_to_create.replace(/^\/+/, ""))) };
}

export const ensureSubdirsExist: FeatureModule<EnsureSubdirsExist> = {
  type: "ensure_subdirs_exist",
  phase: "compile",
  schema,
  describe: (f) => describeFeature("ensure_subdirs_exist", { into_dir: f.into_dir, subdirs_to_create: f.subdirs_to_create }),
  analyze(f) {
    const { base, dir } = target(f);
    return {
      requires: [requirePath(base, IS_DIR), ...ownerRequirements(f.user, f.group)],
      provides: dirItems(base, dir, resolveMode(f.mode, true, 0o755), ownerText(f.user, f.group), f.xattrs),
    };
  },
  async compile(f, ctx) {
    await createDirs(ctx, this.describe(f), target(f).dir, f.mode, f.user, f.group, f.xattrs);
  },
};
