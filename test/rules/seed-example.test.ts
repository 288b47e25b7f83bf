// The seeds' genrule-layer example (examples/seed_genrule/BUCK: the design notes' snippet verbatim, parent_layer
// filled in) and the prelude's core rules (export_file, filegroup, genrule), built by the local driver and, when
// STRATA_BUCK2 names a Buck2 binary, by real Buck2 on the same files.
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, lstatSync, readFileSync, readdirSync, readlinkSync, realpathSync } from "node:fs";
import { join, resolve } from "node:path";
import { describeBtrfs } from "../helpers/volume.js";
import { newProject, outputOf, parseShowOutput, repoRoot, type Project } from "./project.js";

const PRELUDE_BUCK = `
export_file(name = "a.txt")
export_file(name = "renamed", src = "a.txt", out = "b.txt")
export_file(name = "ref", src = "a.txt", mode = "reference")
filegroup(name = "group", srcs = ["a.txt", "sub/c.txt"])
filegroup(name = "mapped", srcs = {"x/y.txt": "a.txt"}, copy = False)
genrule(name = "upper", srcs = ["a.txt", "sub/c.txt"], out = "upper.txt", cmd = "cat $SRCS | tr a-z A-Z > $OUT")
genrule(name = "dir", outs = {"one": ["1.txt"], "two": ["2.txt"]}, default_outs = ["1.txt"], bash = "echo 1 > $OUT/1.txt; echo 2 > $OUT/2.txt")
genrule(name = "from_target", srcs = {"in.txt": ":renamed"}, out = "out.txt", cmd = "cp $SRCDIR/in.txt $OUT")
`;
const PRELUDE_TARGETS = ["//p:a.txt", "//p:renamed", "//p:ref", "//p:group", "//p:mapped", "//p:upper", "//p:dir", "//p:dir[two]", "//p:from_target"];
const SEED_TARGET = "//examples/seed_genrule:foo";

function projectWithPreludeRules(): Project {
  return newProject({ "p/BUCK": PRELUDE_BUCK, "p/a.txt": "alpha\n", "p/sub/c.txt": "gamma\n" });
}

/** What every driver must produce; `out(target)` is the output path of a target as that driver printed it. */
function checkPreludeOutputs(out: (target: string) => string): void {
  expect(readFileSync(out("//p:a.txt"), "utf8")).toBe("alpha\n");
  expect(out("//p:renamed").endsWith("/b.txt")).toBe(true);
  expect(readFileSync(out("//p:renamed"), "utf8")).toBe("alpha\n");
  expect(out("//p:ref").endsWith("p/a.txt")).toBe(true);
  expect(readFileSync(join(out("//p:group"), "a.txt"), "utf8")).toBe("alpha\n");
  expect(readFileSync(join(out("//p:group"), "sub/c.txt"), "utf8")).toBe("gamma\n");
  expect(lstatSync(join(out("//p:mapped"), "x/y.txt")).isSymbolicLink()).toBe(true);
  expect(readFileSync(join(out("//p:mapped"), "x/y.txt"), "utf8")).toBe("alpha\n");
  expect(readFileSync(out("//p:upper"), "utf8")).toBe("ALPHA\nGAMMA\n");
  expect(readFileSync(out("//p:dir"), "utf8")).toBe("1\n");
  expect(readFileSync(out("//p:dir[two]"), "utf8")).toBe("2\n");
  expect(readFileSync(out("//p:from_target"), "utf8")).toBe("alpha\n");
}

function checkSeedLayer(layerOut: string): void {
  const root = realpathSync(layerOut);
  expect(readFileSync(join(root, "output/FOO"), "utf8")).toBe(readFileSync(join(repoRoot, "examples/seed_genrule/untranslated-foo"), "utf8").toUpperCase());
  expect(existsSync(join(root, "output/_temp_foo"))).toBe(false);
  expect(readdirSync(join(root, "output"))).toEqual(["FOO"]);
}

describe("examples/seed_genrule/BUCK is the seeds' snippet", () => {
  const seeds = resolve(repoRoot, "..", "shared", "seeds");
  const doc = existsSync(seeds) ? readdirSync(seeds).map((f) => readFileSync(join(seeds, f), "utf8")).find((t) => t.includes("_translate_foo")) : undefined;
  it.skipIf(doc === undefined)("verbatim, but for parent_layer (checked where ../shared/seeds exists)", () => {
    const snippet = /```py\n([\s\S]*?)```/.exec(doc!)![1]!;
    const ours = readFileSync(join(repoRoot, "examples/seed_genrule/BUCK"), "utf8").replace("parent_layer = '//base:shell'", "parent_layer = '...'");
    expect(ours).toContain(snippet);
  });
});

describeBtrfs("prelude rules and the seeds' example (local driver)", () => {
  let project: Project;
  beforeAll(() => {
    project = projectWithPreludeRules();
  });

  it("builds export_file, filegroup and genrule with Buck2's attributes", async () => {
    const built = await project.build(PRELUDE_TARGETS);
    checkPreludeOutputs((t) => outputOf(built, t));
  });

  it("builds the seeds' genrule-layer chain", async () => {
    const built = await project.build([SEED_TARGET]);
    checkSeedLayer(outputOf(built, SEED_TARGET));
  });

  it("refuses an antlir_rule value antlir does not know, and a genrule using a $(location) macro", async () => {
    project.write("bad/BUCK", 'load("//rules:defs.bzl", "image")\nimage.genrule_layer(name = "g", parent_layer = "//base:shell", rule_type = "x", antlir_rule = "public", cmd = ["true"])\n');
    const r = await project.local(["build", "//bad:g"]);
    expect(r.exitCode).toBe(1);
    expect(String(r.stderr)).toMatch(/^(\S+:\d+:\d+: )?error: .*`antlir_rule` must be one of "antlir-private", "user-facing", "user-internal"; found "public"/m);
    project.write("bad2/BUCK", 'genrule(name = "g", out = "o", cmd = "cp $(location //p:a.txt) $OUT")\n');
    const r2 = await project.local(["build", "//bad2:g"]);
    expect(r2.exitCode).toBe(1);
    expect(String(r2.stderr)).toMatch(/error: .*\$\(location \.\.\.\)/);
  });
});

// Real Buck2: runs where STRATA_BUCK2 is set. A binary that is set but does not run fails under CI=true.
const buck2 = process.env.STRATA_BUCK2;
async function buck2Works(): Promise<boolean> {
  if (!buck2) return false;
  const r = await execa(buck2, ["--version"], { reject: false });
  if (r.exitCode === 0) return true;
  if (process.env.CI === "true") throw new Error(`STRATA_BUCK2=${buck2} does not run (exit ${r.exitCode}): ${String(r.stderr)}`);
  return false;
}

describeBtrfs("prelude rules and the seeds' example (real Buck2)", () => {
  let project: Project | undefined;
  let usable = false;
  beforeAll(async () => {
    usable = await buck2Works();
    if (usable) project = projectWithPreludeRules();
  });
  afterAll(async () => {
    if (project) await execa(buck2!, ["kill"], { cwd: project.root, reject: false });
  });

  const build = async (targets: string[]): Promise<(t: string) => string> => {
    const r = await execa(buck2!, ["build", ...targets, "--show-output"], { cwd: project!.root, reject: false });
    if (r.exitCode !== 0) throw new Error(`buck2 build failed (exit ${r.exitCode}):\n${String(r.stderr)}`);
    const outputs = parseShowOutput(String(r.stdout), project!.root);
    return (t) => {
      const hit = outputs.get(`root${t}`) ?? outputs.get(t);
      if (hit === undefined) throw new Error(`no output for ${t} in:\n${String(r.stdout)}`);
      return hit;
    };
  };

  it("builds export_file, filegroup and genrule with the same results", async (ctx) => {
    if (!usable) return ctx.skip();
    checkPreludeOutputs(await build(PRELUDE_TARGETS));
  });

  it("builds the seeds' genrule-layer chain", async (ctx) => {
    if (!usable) return ctx.skip();
    const out = await build([SEED_TARGET]);
    checkSeedLayer(out(SEED_TARGET));
  });
});
