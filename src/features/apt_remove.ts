// apt_remove(packages): purges installed Debian packages; one that is not installed is an error.
// The layer rule checked at analysis that nothing left behind depends on them. Opaque (dpkg --purge and the
// maintainer scripts decide what goes). Runs in the package_manager phase.
import { z } from "zod";
import { removeFromImage } from "../debian/dpkg-install.js";
import { describeFeature, labelSchema } from "./common.js";
import { analyzeApt, aptProblemSchema, isProblem, packagesSchema } from "./apt_common.js";
import { neededSchema } from "../debian/needed.js";
import type { FeatureModule } from "./types.js";

const schema = z.strictObject({
  type: z.literal("apt_remove"),
  label: labelSchema,
  packages: packagesSchema,
  resolved: z.union([z.strictObject({ remove: z.array(z.string()), flavor: z.string().min(1), needed: neededSchema }), aptProblemSchema]).optional(),
});
export type AptRemove = z.infer<typeof schema>;

export const aptRemove: FeatureModule<AptRemove> = {
  type: "apt_remove",
  phase: "package_manager",
  schema: schema as unknown as z.ZodType<AptRemove>,
  opaque: true,
  describe: (f) => describeFeature("apt_remove", { packages: f.packages }),
  analyze(f, ctx) {
    return analyzeApt(f, this.describe(f), ctx);
  },
  async compile(f, ctx) {
    await removeFromImage(f.packages, { root: ctx.root, label: ctx.label, feature: this.describe(f), epoch: ctx.epoch }, true, (isProblem(f.resolved) ? undefined : f.resolved?.needed) ?? []);
  },
};
