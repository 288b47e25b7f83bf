// install_text(text, dst, mode, user, group, xattrs): writes a text file (default mode 0o444), with its xattrs.
import { z } from "zod";
import { normalizeImagePath } from "../image/path.js";
import { resolveMode } from "../image/mode.js";
import { writeFileIn } from "../image/fsops.js";
import { asFeatureError, describeFeature, imagePathSchema, labelSchema, modeSchema, ownerRequirements, ownerSchema, ownerText, requireParentDir, resolveOwner } from "./common.js";
import { setXattrs, xattrsSchema, xattrsText } from "./xattrs.js";
import type { FeatureModule } from "./types.js";

const schema = z.strictObject({
  type: z.literal("install_text"),
  label: labelSchema,
  text: z.string(),
  dst: imagePathSchema,
  mode: modeSchema.default(0o444),
  user: ownerSchema.default("root"),
  group: ownerSchema.default("root"),
  xattrs: xattrsSchema,
});
export type InstallText = z.infer<typeof schema>;

export const installText: FeatureModule<InstallText> = {
  type: "install_text",
  phase: "compile",
  schema,
  describe: (f) => describeFeature("install_text", { dst: f.dst }),
  analyze(f) {
    const dst = normalizeImagePath(f.dst);
    return {
      requires: [requireParentDir(dst), ...ownerRequirements(f.user, f.group)],
      provides: [{ kind: "path", path: dst, fileType: "file", mode: resolveMode(f.mode, false, 0o444), owner: ownerText(f.user, f.group), ...(xattrsText(f.xattrs) ? { xattrs: xattrsText(f.xattrs) } : {}) }],
    };
  },
  async compile(f, ctx) {
    const name = this.describe(f);
    await asFeatureError(ctx, name, () => {
      const owner = resolveOwner(ctx, name, f.user, f.group);
      const mode = resolveMode(f.mode, false, 0o444);
      const r = writeFileIn(ctx.root, f.dst, f.text, { mode, ...owner, epoch: ctx.epoch });
      setXattrs(r.hostPath, f.xattrs);
      ctx.touched(r.imagePath);
    });
  },
};
