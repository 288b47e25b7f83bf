// apt_install(packages): Debian packages with their dependencies, from the layer's flavor. The layer rule resolved
// the closure from the lock at analysis (`resolved.debs`); in a layer without parent (`resolved.bootstrap`) this
// bootstraps the image: the essential set plus the packages, extracted with the tools of the flavor's build
// appliance (`resolved.appliance`) when it has one. Opaque: dpkg and the maintainer scripts write where
// they like, so the phase's facts come from the tree. Runs in the package_manager phase.
import { lstatSync } from "node:fs";
import { z } from "zod";
import { packagePaths } from "../debian/audit.js";
import { bootstrapImage } from "../debian/bootstrap.js";
import { installIntoImage } from "../debian/dpkg-install.js";
import { applianceTree } from "../isolation/appliance.js";
import { projectSourcePath } from "./common.js";
import { describeFeature, labelSchema } from "./common.js";
import { analyzeApt, aptProblemSchema, isProblem, missingPlan, packagesSchema, resolvedDebSchema } from "./apt_common.js";
import type { FeatureModule } from "./types.js";

const schema = z.strictObject({
  type: z.literal("apt_install"),
  label: labelSchema,
  packages: packagesSchema,
  resolved: z
    .union([
      z.strictObject({
        bootstrap: z.boolean(),
        flavor: z.string().min(1),
        debs: z.array(resolvedDebSchema),
        /** the flavor's build appliance layer (its output, project-relative), when the flavor has one and this bootstraps */
        appliance: z.string().min(1).optional(),
      }),
      aptProblemSchema,
    ])
    .optional(),
});
export type AptInstall = z.infer<typeof schema>;

export const aptInstall: FeatureModule<AptInstall> = {
  type: "apt_install",
  phase: "package_manager",
  schema: schema as unknown as z.ZodType<AptInstall>,
  opaque: true,
  describe: (f) => describeFeature("apt_install", { packages: f.packages }),
  analyze(f, ctx) {
    return analyzeApt(f, this.describe(f), ctx);
  },
  async compile(f, ctx) {
    const feature = this.describe(f);
    if (f.resolved === undefined || isProblem(f.resolved)) throw missingPlan(ctx.label, feature);
    const debs = f.resolved.debs.map((d) => ({ ...d, deb: projectSourcePath(ctx.projectRoot, d.deb) }));
    const appliance = f.resolved.appliance !== undefined ? applianceTree(projectSourcePath(ctx.projectRoot, f.resolved.appliance), ctx.label) : undefined;
    const ictx = { root: ctx.root, label: ctx.label, feature, epoch: ctx.epoch, appliance };
    if (f.resolved.bootstrap) await bootstrapImage(debs, ictx);
    else if (debs.length > 0) await installIntoImage(debs, ictx);
    // each package's files are its own in the facts, so a later feature writing one hears which package owns it
    // (directories are shared between packages: they keep the feature as origin)
    for (const d of debs) {
      for (const p of packagePaths(ctx.root, d.name, d.architecture)) {
        const st = lstatSync(ctx.root + p, { throwIfNoEntry: false });
        if (st !== undefined && !st.isDirectory()) ctx.touched(p, `${ctx.label}: apt_install (package ${d.name} ${d.version})`);
      }
    }
  },
};
