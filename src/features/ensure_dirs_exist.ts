// ensure_dirs_exist(dirs, mode, user, group): mkdir -p. Every component is a provided Directory item;
// components that already exist (in the parent layer or earlier in the phase) are left as they are.
import { z } from "zod";
import { ancestors, dirPrefix, normalizeImagePath } from "../image/path.js";
import { resolveMode } from "../image/mode.js";
import { mkdirsIn } from "../image/fsops.js";
import { asFeatureError, describeFeature, imagePathSchema, labelSchema, modeSchema, ownerRequirements, ownerSchema, ownerText, resolveOwner, type Owner } from "./common.js";
import { resolveInImage } from "../image/resolve.js";
import { setXattrs, xattrsText, type Xattrs } from "./xattrs.js";
import type { Analysis, CompileContext, FeatureModule } from "./types.js";

const schema = z.strictObject({
  type: z.literal("ensure_dirs_exist"),
  label: labelSchema,
  dirs: imagePathSchema,
  mode: modeSchema.default(0o755),
  user: ownerSchema.default("root"),
  group: ownerSchema.default("root"),
});
export type EnsureDirsExist = z.infer<typeof schema>;

/** Directory items for every component of `dir` strictly below `base` (base itself excluded). */
export function dirItems(base: string, dir: string, mode: number, owner: string, xattrs?: Xattrs): Analysis["provides"] {
  const all = [...ancestors(dir), dir].filter((p) => p !== "/" && p.startsWith(dirPrefix(base)));
  const text = xattrsText(xattrs);
  return all.map((path) => ({ kind: "path" as const, path, fileType: "directory" as const, mode, owner, ...(text ? { xattrs: text } : {}) }));
}

/** mkdir -p of `dir`; every directory it creates gets the mode, owner and (when given) the xattrs. */
export async function createDirs(ctx: CompileContext, name: string, dir: string, modeSpec: string | number | null | undefined, user: Owner, group: Owner, xattrs?: Xattrs): Promise<void> {
  await asFeatureError(ctx, name, () => {
    const owner = resolveOwner(ctx, name, user, group);
    const mode = resolveMode(modeSpec, true, 0o755);
    for (const p of mkdirsIn(ctx.root, dir, { mode, ...owner, epoch: ctx.epoch })) {
      if (xattrs !== undefined) {
        const host = resolveInImage(ctx.root, p, false).hostPath;
        setXattrs(host, xattrs);
      }
      ctx.touched(p);
    }
  });
}

export const ensureDirsExist: FeatureModule<EnsureDirsExist> = {
  type: "ensure_dirs_exist",
  phase: "compile",
  schema,
  describe: (f) => describeFeature("ensure_dirs_exist", { dirs: f.dirs }),
  analyze(f) {
    const dir = normalizeImagePath(f.dirs);
    return {
      requires: ownerRequirements(f.user, f.group),
      provides: dirItems("/", dir, resolveMode(f.mode, true, 0o755), ownerText(f.user, f.group)),
    };
  },
  async compile(f, ctx) {
    await createDirs(ctx, this.describe(f), f.dirs, f.mode, f.user, f.group);
  },
};
