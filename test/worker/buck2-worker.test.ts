// Under real Buck2 the runner's actions go to the persistent `strata worker` (Buck2's own record of the build says
// `worker` for them), and the layers are the same trees as the local driver builds. Buck2 comes from
// STRATA_BUCK2 or PATH; in CI (CI=true) a missing Buck2 fails the suite instead of skipping it.
import { execa } from "execa";
import { existsSync, realpathSync } from "node:fs";
import { delimiter, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { listTree } from "../runner/helpers.js";
import { newProject, parseShowOutput, repoRoot, type Project } from "../rules/project.js";

function findBuck2(): string | undefined {
  const given = process.env.STRATA_BUCK2;
  if (given !== undefined && given !== "") return given;
  for (const dir of (process.env.PATH ?? "").split(delimiter)) if (dir !== "" && existsSync(join(dir, "buck2"))) return join(dir, "buck2");
  // the Buck2 that CI keeps beside the checkout (../shared/tools/buck2), until .ci/run exports STRATA_BUCK2
  const beside = join(repoRoot, "..", "shared", "tools", "buck2");
  return existsSync(beside) ? beside : undefined;
}

const buck2 = findBuck2();
const btrfs = inject("btrfsRoot") !== null;
if (process.env.CI === "true" && buck2 === undefined) throw new Error("CI=true but no Buck2: set STRATA_BUCK2 or put buck2 on PATH");
const suite = buck2 !== undefined && btrfs ? describe : describe.skip;

const TARGETS = ["//examples:app", "//examples:debug", "//examples/genrule:foo"];

function env(): Record<string, string> {
  const e: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== "STRATA_WORKING_VOLUME") e[k] = v;
  return e;
}

suite(`the persistent worker under real Buck2 (${buck2 ?? "no buck2 found"})`, () => {
  const projects: Project[] = [];
  afterAll(async () => {
    for (const p of projects) await execa(buck2!, ["kill"], { cwd: p.root, env: env(), extendEnv: false, reject: false });
  });

  it("runs the runner's actions on the worker and builds the local driver's trees", async () => {
    const [viaBuck2, viaLocal] = [newProject(), newProject()];
    projects.push(viaBuck2);
    const b = await execa(buck2!, ["build", ...TARGETS, "--show-output"], { cwd: viaBuck2.root, env: env(), extendEnv: false, reject: false });
    expect(b.exitCode, b.stderr).toBe(0);
    const ran = await execa(buck2!, ["log", "what-ran"], { cwd: viaBuck2.root, env: env(), extendEnv: false });
    // one record per action, `worker` in the executor column; the first one also has a `worker_init` record
    const compiles = ran.stdout.split("\n").filter((l) => /\(strata_(phase|materialise) /.test(l));
    const executors = compiles.map((l) => l.split("\t")[2]);
    expect(executors.filter((e) => e === "worker").length).toBeGreaterThan(3);
    expect(executors.filter((e) => e !== "worker" && e !== "worker_init")).toEqual([]);
    const inits = ran.stdout.split("\n").filter((l) => l.split("\t")[2] === "worker_init");
    expect(inits.length).toBe(1);
    expect(inits[0]).toMatch(/bin\/strata\.mjs worker$/);

    const l = await execa("node", [join(repoRoot, "bin", "strata.mjs"), "local", "build", ...TARGETS, "--show-output"], { cwd: viaLocal.root, env: env(), extendEnv: false, reject: false });
    expect(l.exitCode, l.stderr).toBe(0);
    const [outB, outL] = [parseShowOutput(b.stdout, viaBuck2.root), parseShowOutput(l.stdout, viaLocal.root)];
    for (const t of TARGETS) {
      const [tb, tl] = [realpathSync(outB.get(`root${t}`)!), realpathSync(outL.get(`root${t}`)!)];
      // contents, types, modes, owners, mtimes. Not atimes: under Buck2, with the worker or without it, a child
      // layer's inherited /bin symlink gets the build's time as atime (a read between snapshot and seal), the
      // local driver leaves it at SOURCE_DATE_EPOCH; that difference is not the worker's
      expect(listTree(tb, false)).toEqual(listTree(tl, false));
    }
  });

  it("reports a failing action's error: lines from the worker", async () => {
    const p = newProject({
      "bad/BUCK": 'load("//rules:defs.bzl", "feature", "image")\nimage.layer(name = "bad", features = [feature.remove(path = "/not/there")])\n',
    });
    projects.push(p);
    const b = await execa(buck2!, ["build", "//bad:bad"], { cwd: p.root, env: env(), extendEnv: false, reject: false });
    expect(b.exitCode).not.toBe(0);
    expect(b.stderr).toMatch(/error: .*\/\/bad:bad/);
    const ran = await execa(buck2!, ["log", "what-ran"], { cwd: p.root, env: env(), extendEnv: false });
    expect(ran.stdout).toMatch(/\(strata_phase remove\)\tworker\t/);
  });
});
