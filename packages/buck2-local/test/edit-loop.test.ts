// The edit loop (issue 19 item 7): an evaluation reused while nothing it read changed, and a change to any input
// (BUCK file, .bzl file, .buckconfig, a file a glob sees, a source) seen by the next build; a cache hit is never
// reported as an action that ran.
import { linkSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EvaluationCache, type EvaluationDeps } from "../src/evaluation-cache.js";
import { evaluateTargets } from "../src/evaluation.js";
import { SH_OUT_RULE, fixture, local } from "./helpers.js";

const PATTERNS = ["//app:both", "//app:facts", "//app:acopy"];

function edit(dir: string, rel: string, from: string, to: string): void {
  const text = readFileSync(join(dir, rel), "utf8");
  expect(text).toContain(from);
  writeFileSync(join(dir, rel), text.replace(from, to));
}

describe("the evaluation cache", () => {
  it("reuses an evaluation until a BUCK file, a .bzl file, a .buckconfig or a file a glob sees changes; a source's content is no evaluation input", async () => {
    const dir = fixture("basic");
    const kept = () => new EvaluationCache(dir, ".", PATTERNS, process.env["STRATA_PYTHON"] ?? "python3").lookup() !== undefined;
    const evaluate = () => evaluateTargets(dir, PATTERNS);
    const action = async (owner: string) => (await evaluate()).actions.find((a) => a.owner === owner && a.kind !== "write")!;
    expect(kept()).toBe(false);
    await evaluate();
    expect(kept()).toBe(true);

    // the build file
    edit(dir, "app/TARGETS", 'copy(name = "acopy", src = "a.txt")', 'copy(name = "acopy", src = "b.txt")');
    expect(kept()).toBe(false);
    expect((await action("root//app:acopy")).src).toBe("app/b.txt");
    expect(kept()).toBe(true);

    // a .bzl file
    edit(dir, "rules/defs.bzl", `'cat "$@" > "$0"'`, `'cat "$@" "$@" > "$0"'`);
    expect(kept()).toBe(false);
    expect((await action("root//app:both")).argv).toContain('cat "$@" "$@" > "$0"');
    expect(kept()).toBe(true);

    // a buckconfig read by read_config(), here one that did not exist
    writeFileSync(join(dir, ".buckconfig.local"), "[strata]\n  greeting = hello from local\n");
    expect(kept()).toBe(false);
    const facts = (await evaluate()).actions.find((a) => a.owner === "root//app:facts")!;
    expect(facts.content).toContain("hello from local");
    expect(kept()).toBe(true);

    // a new file that a glob() matches
    writeFileSync(join(dir, "app/c.txt"), "gamma\n");
    expect(kept()).toBe(false);
    expect((await action("root//app:both")).inputs.map((i) => i.path)).toContain("app/c.txt");
    expect(kept()).toBe(true);

    // a source that becomes a directory (attrs.source() refuses one)
    rmSync(join(dir, "app/b.txt"));
    mkdirSync(join(dir, "app/b.txt"));
    expect(kept()).toBe(false);
    await expect(evaluate()).rejects.toThrow(/is a directory/);
    rmSync(join(dir, "app/b.txt"), { recursive: true });
    writeFileSync(join(dir, "app/b.txt"), "beta\n");
    await evaluate();

    // neither a source's new content (the action key sees it) nor a touch of a build file that keeps its text
    writeFileSync(join(dir, "app/a.txt"), "alpha, edited\n");
    utimesSync(join(dir, "app/TARGETS"), new Date(), new Date());
    expect(kept()).toBe(true);

    // the Python and starlark-pyo3's native module are facts too: an upgrade of either evaluates again
    const entry = readdirSync(join(dir, "buck-out/v2/.strata-evaluations")).find((f) => !f.endsWith(".tmp"))!;
    const read = JSON.parse(readFileSync(join(dir, "buck-out/v2/.strata-evaluations", entry), "utf8").split("\n", 1)[0]!) as EvaluationDeps;
    expect(Object.keys(read.files).some((f) => /\/starlark\/[^/]+\.so$/.test(f))).toBe(true);
    expect(Object.keys(read.files).some((f) => /\/python[\d.]*$/.test(f))).toBe(true);
  });

  it("a glob walks only under its patterns' literal directories, not into packages, and sees a file added there", async () => {
    const dir = fixture("basic", {
      "g/TARGETS": 'concat(name = "g", srcs = glob(["data/**/*.txt", "top.txt"]))\n',
      "g/top.txt": "0\n",
      "g/data/1.txt": "1\n",
      "g/data/more/x/2.txt": "2\n",
      "g/data/pkg/TARGETS": "",
      "g/data/pkg/3.txt": "3\n",
      "g/other/4.txt": "4\n",
    });
    const kept = () => new EvaluationCache(dir, ".", ["//g:g"], process.env["STRATA_PYTHON"] ?? "python3").lookup() !== undefined;
    const srcs = async () => (await evaluateTargets(dir, ["//g:g"])).actions.find((a) => a.kind === "run")!.inputs.map((i) => i.path);
    expect(await srcs()).toEqual(["g/data/1.txt", "g/data/more/x/2.txt", "g/top.txt"]);
    writeFileSync(join(dir, "g/data/pkg/5.txt"), "5\n");
    expect(kept()).toBe(true);
    writeFileSync(join(dir, "g/data/more/6.txt"), "6\n");
    expect(kept()).toBe(false);
    expect(await srcs()).toEqual(["g/data/1.txt", "g/data/more/6.txt", "g/data/more/x/2.txt", "g/top.txt"]);
    // top.txt has no directory: the whole package is walked for it, so a file anywhere in it is seen
    writeFileSync(join(dir, "g/other/7.txt"), "7\n");
    expect(kept()).toBe(false);
  });

  it("the next build sees a changed BUCK file, .bzl file and source file, each on its own", async () => {
    const dir = fixture("basic");
    const copy = join(dir, "buck-out/v2/gen/root/app/__acopy__/acopy.copy");
    const both = join(dir, "buck-out/v2/gen/root/app/__both__/out.txt");
    const build = async () => {
      const r = await local(dir, ["build", "//app:both", "//app:acopy", "--verbose"]);
      expect(r.exitCode).toBe(0);
      return r.stderr;
    };
    expect(await build()).toContain("2 ran, 0 skipped");
    expect(await build()).toContain("0 ran, 2 skipped");

    writeFileSync(join(dir, "app/a.txt"), "alpha 2\n");
    expect(await build()).toContain("2 ran, 0 skipped");
    expect(readFileSync(copy, "utf8")).toBe("alpha 2\n");

    edit(dir, "app/TARGETS", 'copy(name = "acopy", src = "a.txt")', 'copy(name = "acopy", src = "b.txt")');
    expect(await build()).toContain("1 ran, 1 skipped");
    expect(readFileSync(copy, "utf8")).toBe("beta\n");

    edit(dir, "rules/defs.bzl", `'cat "$@" > "$0"'`, `'cat "$@" "$@" > "$0"'`);
    expect(await build()).toContain("1 ran, 1 skipped");
    expect(readFileSync(both, "utf8")).toBe("alpha 2\nbeta\nalpha 2\nbeta\n");
    expect(await build()).toContain("0 ran, 2 skipped");

    // the same size and the old mtime put back: the kept digest is not trusted (the ctime moved)
    const before = statSync(join(dir, "app/a.txt"));
    writeFileSync(join(dir, "app/a.txt"), "alpha 3\n");
    utimesSync(join(dir, "app/a.txt"), before.atime, before.mtime);
    expect(statSync(join(dir, "app/a.txt")).size).toBe(before.size);
    expect(await build()).toContain("1 ran, 1 skipped");
    expect(readFileSync(both, "utf8")).toBe("alpha 3\nbeta\nalpha 3\nbeta\n");
  });
});

const STAGING = {
  "rules/sh.bzl": SH_OUT_RULE,
  // like a downloaded .deb and the Debian phase that hard-links it into a staging directory
  "p/TARGETS": `load("//rules:sh.bzl", "sh_out")
sh_out(name = "deb", cmd = 'echo payload > "$0"')
sh_out(name = "stage", cmd = 'ln "$1" "$BUCK_SCRATCH_PATH/staged" && cat "$1" > "$0"', srcs = [":deb"])
`,
};

describe("cache hits", () => {
  it("an output that a later action hard-linked (a new ctime, the same bytes) is a hit, not reported as an action that ran", async () => {
    const dir = fixture("basic", STAGING);
    const deb = join(dir, "buck-out/v2/gen/root/p/__deb__/out");
    const first = await local(dir, ["build", "//p:stage", "--verbose"]);
    expect(first.stderr).toContain("2 ran, 0 skipped");
    expect(statSync(deb).nlink).toBe(2);
    const second = await local(dir, ["build", "//p:stage", "--verbose"]);
    expect(second.stderr).toContain("skipped root//p:deb (sh)");
    expect(second.stderr).not.toContain("running ");
    expect(second.stderr).toContain("0 ran, 2 skipped");
    // a link made by hand, too
    linkSync(deb, join(dir, "another-name"));
    expect((await local(dir, ["build", "//p:stage", "--verbose"])).stderr).toContain("0 ran, 2 skipped");
  });

  it("an output whose bytes were changed in place (same inode) is run again", async () => {
    const dir = fixture("basic", STAGING);
    const deb = join(dir, "buck-out/v2/gen/root/p/__deb__/out");
    expect((await local(dir, ["build", "//p:stage"])).exitCode).toBe(0);
    const ino = statSync(deb).ino;
    writeFileSync(deb, "tampered\n");
    expect(statSync(deb).ino).toBe(ino);
    const r = await local(dir, ["build", "//p:stage", "--verbose"]);
    expect(r.stderr).toContain("running root//p:deb (sh)");
    // the consumer's input is the same bytes again: a hit
    expect(r.stderr).toContain("1 ran, 1 skipped");
    expect(readFileSync(deb, "utf8")).toBe("payload\n");
  });
});
