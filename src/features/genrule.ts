// genrule(cmd, user): runs `cmd` (an argv list) inside the image being built, isolated (no network, no host
// paths, a clean environment) as a user of the image. Opaque: its effects are learned by diffing the tree
// against the parent's facts, so a later feature that writes the same path is still reported as a conflict.
//
// Determinism: after the phase is walked, the orchestrator sets mtime = atime = epoch on every path of an
// opaque phase's tree (src/isolation/times.ts), so two builds of the same genrule over the same parent give
// identical trees as long as the command itself is deterministic.
import { z } from "zod";
import { StrataError } from "../errors.js";
import { runIsolated } from "../isolation/index.js";
import { describeFeature, labelSchema, requireUser } from "./common.js";
import type { FeatureModule } from "./types.js";

const schema = z.strictObject({
  type: z.literal("genrule"),
  label: labelSchema,
  cmd: z.array(z.string()).min(1),
  user: z.string().min(1).default("nobody"),
});
export type Genrule = z.infer<typeof schema>;

export const genrule: FeatureModule<Genrule> = {
  type: "genrule",
  phase: "genrule",
  schema: schema as unknown as z.ZodType<Genrule>,
  opaque: true,
  describe: (f) => describeFeature("genrule", { cmd: f.cmd, user: f.user }),
  analyze(f) {
    return { requires: [requireUser(f.user)], provides: [] };
  },
  async compile(f, ctx) {
    const result = await runIsolated({
      root: ctx.root,
      writable: true,
      user: f.user,
      argv: f.cmd,
      epoch: ctx.epoch,
      layerMounts: ctx.parent.mounts().map((m) => ({ mountpoint: m.mountpoint, source: m.source })),
      label: ctx.label,
    });
    if (result.exitCode !== 0) {
      throw new StrataError({
        label: ctx.label,
        feature: this.describe(f),
        message: "the genrule command failed",
        expected: "exit code 0",
        found: result.exitCode > 128 ? `exit code ${result.exitCode} (killed by signal ${result.exitCode - 128})` : `exit code ${result.exitCode}`,
      });
    }
  },
};
