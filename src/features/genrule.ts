// genrule(cmd, user): runs `cmd` (an argv list) inside the image being built, isolated (no network, no host
// paths, a clean environment) as a user of the image. Opaque: its effects are learned by diffing the tree
// against the parent's facts, so a later feature that writes the same path is still reported as a conflict.
//
// Determinism: afterwards every path whose mtime or atime is not the epoch gets mtime = atime = epoch
// (reads update atimes under relatime too), so two builds of the same genrule over the same parent give
// identical trees as long as the command itself is deterministic.
import { lstatSync, lutimesSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { StrataError } from "../errors.js";
import { runIsolated } from "../isolation/index.js";
import { describeFeature, labelSchema } from "./common.js";
import type { FeatureModule } from "./types.js";

const schema = z.strictObject({
  type: z.literal("genrule"),
  label: labelSchema,
  cmd: z.array(z.string()).min(1),
  user: z.string().min(1).default("nobody"),
});
export type Genrule = z.infer<typeof schema>;

/** sets mtime = atime = epoch on every path that differs (children first: reading a directory updates its atime) */
function normaliseTimes(dir: string, epoch: number): void {
  const st = lstatSync(dir);
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = lstatSync(p);
    if (s.isDirectory()) {
      // never into a mount (a layer_mount's source is another, read-only layer)
      if (s.dev === st.dev) normaliseTimes(p, epoch);
    } else if (s.mtimeMs !== epoch * 1000 || s.atimeMs !== epoch * 1000) lutimesSync(p, epoch, epoch);
  }
  const after = lstatSync(dir);
  if (after.mtimeMs !== epoch * 1000 || after.atimeMs !== epoch * 1000) lutimesSync(dir, epoch, epoch);
}

export const genrule: FeatureModule<Genrule> = {
  type: "genrule",
  schema: schema as unknown as z.ZodType<Genrule>,
  opaque: true,
  describe: (f) => describeFeature("genrule", { cmd: f.cmd, user: f.user }),
  analyze(f) {
    return { requires: [{ key: `user:${f.user}`, ordered: true, validator: { kind: "exists" } }], provides: [] };
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
    normaliseTimes(ctx.root, ctx.epoch);
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
