// The local driver sends the runner's actions to one persistent worker per build, and the images are the same
// trees as those built by a fresh runner process per action.
import { execa } from "execa";
import { realpathSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { describeBtrfs } from "../helpers/volume.js";
import { listTree } from "../runner/helpers.js";
import { newProject, parseShowOutput, repoRoot } from "../rules/project.js";

const TARGETS = ["//examples:app", "//examples:debug", "//examples/genrule:foo", "//examples:app[facts]", "//examples:app[debug][compile][depgraph]"];

async function build(root: string, worker: boolean) {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== "STRATA_WORKING_VOLUME") env[k] = v;
  env.STRATA_LOCAL_WORKER = worker ? "1" : "0";
  const r = await execa("node", [join(repoRoot, "bin", "strata.mjs"), "local", "build", ...TARGETS, "--show-output", "--verbose"], { cwd: root, env, extendEnv: false, reject: false });
  if (r.exitCode !== 0) throw new Error(`build failed:\n${r.stderr}`);
  return { outputs: parseShowOutput(r.stdout, root), stderr: r.stderr };
}

describeBtrfs("the local driver's persistent worker", () => {
  it("runs compile, facts and depgraph actions on the worker and builds the same trees as plain commands", async () => {
    const [a, b] = [newProject(), newProject()];
    const [withWorker, without] = [await build(a.root, true), await build(b.root, false)];
    const ran = /(\d+) of (\d+) actions ran on the persistent strata worker/.exec(withWorker.stderr);
    expect(ran, withWorker.stderr).not.toBeNull();
    expect(Number(ran![1])).toBeGreaterThan(5);
    expect(without.stderr).not.toMatch(/persistent strata worker/);
    for (const t of ["root//examples:app", "root//examples:debug", "root//examples/genrule:foo"]) {
      const ta = realpathSync(withWorker.outputs.get(t)!);
      const tb = realpathSync(without.outputs.get(t)!);
      expect(ta).not.toBe(tb);
      expect(listTree(ta)).toEqual(listTree(tb));
    }
    for (const t of ["root//examples:app[facts]", "root//examples:app[debug][compile][depgraph]"]) {
      const { readFileSync } = await import("node:fs");
      expect(readFileSync(withWorker.outputs.get(t)!, "utf8")).toEqual(readFileSync(without.outputs.get(t)!, "utf8"));
    }
  });
});
