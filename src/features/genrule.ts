// genrule(cmd | bash, user, bind_repo_ro, macro_srcs): runs a command inside the image being built, isolated (no
// network, a clean environment) as a user of the image. As in antlir2: `cmd` is an argv list, `bash` a script run
// with `/bin/bash -c` (exactly one of them); Buck2's `$(location X)` and `$(exe X)` in either expand to the
// absolute path of X's output, which is bound read-only into the sandbox at that same path; `bind_repo_ro`
// binds the whole repository read-only at its own path and runs the command there (for generators that
// read sources). Nothing else of
// the host is visible. Opaque: its effects are learned by diffing the tree against the parent's facts, so a
// later feature that writes the same path is still reported as a conflict.
//
// Determinism: after the phase is walked, the orchestrator sets mtime = atime = epoch on every path of an
// opaque phase's tree (src/isolation/times.ts), so two builds of the same genrule over the same parent give
// identical trees as long as the command itself is deterministic.
import { z } from "zod";
import { StrataError } from "../errors.js";
import { runIsolated } from "../isolation/index.js";
import { describeFeature, featureError, labelSchema, projectSourcePath, requireUser } from "./common.js";
import type { FeatureModule } from "./types.js";

const schema = z
  .strictObject({
    type: z.literal("genrule"),
    label: labelSchema,
    cmd: z.array(z.string()).min(1).nullable().optional(),
    bash: z.string().min(1).nullable().optional(),
    user: z.string().min(1).default("nobody"),
    bind_repo_ro: z.boolean().optional().default(false),
    /** target label as written in a macro -> the path of its output (filled by the rules) */
    macro_srcs: z.record(z.string(), z.string().min(1)).optional().default({}),
  })
  .refine((f) => (f.cmd == null) !== (f.bash == null), { message: "exactly one of cmd (an argv list) and bash (a script)", path: ["cmd"] });
export type Genrule = z.infer<typeof schema>;

const MACRO = /\$\((location|exe) ([^)\s]+)\)/g;

/** The argv with `$(location X)` / `$(exe X)` expanded, and the host paths those name (to bind read-only). */
export function expandMacros(f: Genrule, projectRoot: string, fail: (message: string) => Error): { argv: string[]; binds: string[] } {
  const binds = new Set<string>();
  const expand = (s: string): string =>
    s.replace(MACRO, (_m, _kind: string, target: string) => {
      const src = f.macro_srcs?.[target];
      if (src === undefined) throw fail(`the macro target "${target}" was not resolved by the rules (is it a target label?)`);
      const host = projectSourcePath(projectRoot, src);
      binds.add(host);
      return host;
    });
  const argv = f.bash != null ? ["/bin/bash", "-c", expand(f.bash)] : f.cmd!.map(expand);
  return { argv, binds: [...binds].sort() };
}

export const genrule: FeatureModule<Genrule> = {
  type: "genrule",
  phase: "genrule",
  schema: schema as unknown as z.ZodType<Genrule>,
  opaque: true,
  describe: (f) => describeFeature("genrule", f.bash != null ? { bash: f.bash, user: f.user } : { cmd: f.cmd, user: f.user }),
  analyze(f) {
    return { requires: [requireUser(f.user)], provides: [] };
  },
  async compile(f, ctx) {
    const name = this.describe(f);
    const { argv, binds } = expandMacros(f, ctx.projectRoot, (m) => featureError(ctx, name, "schema", m));
    const under = (b: string): boolean => f.bind_repo_ro === true && b.startsWith(ctx.projectRoot + "/");
    const roBinds = [...(f.bind_repo_ro ? [ctx.projectRoot] : []), ...binds.filter((b) => !under(b))].map((host) => ({ host, image: host }));
    const result = await runIsolated({
      root: ctx.root,
      writable: true,
      user: f.user,
      argv,
      epoch: ctx.epoch,
      roBinds,
      // antlir2 runs a genrule that sees the repository from the repository's root
      ...(f.bind_repo_ro ? { cwd: ctx.projectRoot } : {}),
      layerMounts: ctx.parent.mounts().map((m) => ({ mountpoint: m.mountpoint, source: m.source })),
      label: ctx.label,
    });
    if (result.exitCode !== 0) {
      throw new StrataError({
        kind: "io",
        label: ctx.label,
        feature: name,
        message: "the genrule command failed",
        expected: "exit code 0",
        found: result.exitCode > 128 ? `exit code ${result.exitCode} (killed by signal ${result.exitCode - 128})` : `exit code ${result.exitCode}`,
      });
    }
  },
};
