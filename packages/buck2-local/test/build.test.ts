import { readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fixture, local } from "./helpers.js";

describe("strata local build", () => {
  it("builds targets and prints `LABEL PATH` lines with --show-output", async () => {
    const dir = fixture("basic");
    const r = await local(dir, ["build", "//app:both", "//app:facts", "//app:both[facts]", "--show-output"]);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split("\n")).toEqual([
      "root//app:both buck-out/v2/gen/root/app/__both__/out.txt",
      "root//app:facts buck-out/v2/gen/root/app/__facts__/all.json",
      "root//app:both[facts] buck-out/v2/gen/root/app/__both__/facts.json",
    ]);
    expect(readFileSync(join(dir, "buck-out/v2/gen/root/app/__both__/out.txt"), "utf8")).toBe("alpha\nbeta\n");
    // write_json: artifacts as project-relative paths, compact unless pretty
    expect(readFileSync(join(dir, "buck-out/v2/gen/root/app/__both__/facts.json"), "utf8")).toBe(
      '{"label":"root//app:both","srcs":["app/a.txt","app/b.txt"],"out":"buck-out/v2/gen/root/app/__both__/out.txt","n":2}',
    );
    expect(JSON.parse(readFileSync(join(dir, "buck-out/v2/gen/root/app/__facts__/all.json"), "utf8"))).toEqual({
      counts: [2],
      greeting: "hello from config",
      dep_outs: [["buck-out/v2/gen/root/app/__both__/facts.json"]],
    });
  });

  it("resolves `:name` against the package of the current directory, and copies sources", async () => {
    const dir = fixture("basic");
    const r = await local(join(dir, "app"), ["build", ":acopy", "--show-output"]);
    expect(r.stdout).toBe("root//app:acopy buck-out/v2/gen/root/app/__acopy__/acopy.copy");
    expect(readFileSync(join(dir, "buck-out/v2/gen/root/app/__acopy__/acopy.copy"), "utf8")).toBe("alpha\n");
  });

  it("skips unchanged actions and re-runs only those whose inputs changed", async () => {
    const dir = fixture("basic");
    const first = await local(dir, ["build", "//app:both", "//app:acopy", "--verbose"]);
    expect(first.exitCode).toBe(0);
    expect(first.stderr).toContain("2 ran, 0 skipped");
    const second = await local(dir, ["build", "//app:both", "//app:acopy", "--verbose"]);
    expect(second.stderr).toContain("0 ran, 2 skipped");
    writeFileSync(join(dir, "app/b.txt"), "gamma\n");
    const third = await local(dir, ["build", "//app:both", "//app:acopy", "--verbose"]);
    expect(third.stderr).toContain("running root//app:both (concat)");
    expect(third.stderr).toContain("skipped root//app:acopy (copy acopy.copy)");
    expect(third.stderr).toContain("1 ran, 1 skipped");
    expect(readFileSync(join(dir, "buck-out/v2/gen/root/app/__both__/out.txt"), "utf8")).toBe("alpha\ngamma\n");
    // a touch that leaves the content alone changes nothing
    utimesSync(join(dir, "app/a.txt"), new Date(), new Date(2000, 1, 1));
    const fourth = await local(dir, ["build", "//app:both", "--verbose"]);
    expect(fourth.stderr).toContain("0 ran, 1 skipped");
  });

  it("runs an action again when its output was deleted", async () => {
    const dir = fixture("basic");
    await local(dir, ["build", "//app:acopy"]);
    const { rmSync } = await import("node:fs");
    rmSync(join(dir, "buck-out/v2/gen/root/app/__acopy__/acopy.copy"));
    const r = await local(dir, ["build", "//app:acopy", "--verbose"]);
    expect(r.stderr).toContain("running root//app:acopy (copy acopy.copy)");
  });

  it("`run` builds the RunInfo's inputs and runs its args from the project root", async () => {
    const dir = fixture("basic");
    const r = await local(join(dir, "app"), ["run", ":both"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("alpha\nbeta");
  });

  it("gives actions Buck2's environment: scratch dir, TMPDIR, no PYTHONPATH/LD_PRELOAD, the rule's env", async () => {
    const dir = fixture("basic", { "bad/TARGETS": 'load("//rules:bad.bzl", "bad")\nbad(name = "env", mode = "env")\n' });
    const r = await local(dir, ["build", "//bad:env"], { PYTHONPATH: "/nowhere", LD_PRELOAD: "", KEEP_ME: "1" });
    expect(r.stderr).toBe("");
    const env = readFileSync(join(dir, "buck-out/v2/gen/root/bad/__env__/out"), "utf8").split("\n");
    expect(env).toContain("FROM_RULE=yes");
    expect(env).toContain("KEEP_ME=1");
    expect(env).toContain("scratch-ok");
    expect(env.some((l) => l.startsWith("PYTHONPATH="))).toBe(false);
    expect(env.some((l) => l.startsWith("LD_PRELOAD="))).toBe(false);
    const scratch = env.find((l) => l.startsWith("BUCK_SCRATCH_PATH="))!.slice("BUCK_SCRATCH_PATH=".length);
    expect(scratch.startsWith("buck-out/")).toBe(true);
    expect(env).toContain(`TMPDIR=${join(dir, scratch)}`);
  });

  it("renders cmd_args with format, delimiter, shell quoting and prepend", async () => {
    const dir = fixture("basic", { "bad/TARGETS": 'load("//rules:bad.bzl", "bad")\nbad(name = "args", mode = "args")\n' });
    const r = await local(dir, ["build", "//bad:args"]);
    expect(r.stderr).toBe("");
    expect(readFileSync(join(dir, "buck-out/v2/gen/root/bad/__args__/out"), "utf8")).toBe("-x=a\n-x=b\nc,d\n'it'\"'\"'s'\n-p\ne\n");
  });

  it("fails with the action's stderr and an `Action failed` line, exit 1", async () => {
    const dir = fixture("basic", { "bad/TARGETS": 'load("//rules:bad.bzl", "bad")\nbad(name = "f", mode = "fails")\n' });
    const r = await local(dir, ["build", "//bad:f"]);
    expect(r.exitCode).toBe(1);
    const lines = r.stderr.split("\n");
    expect(lines[0]).toBe("error: something broke");
    expect(lines[1]).toBe("Action failed: root//bad:f (strata_compile compile): exit code 3");
    // the command line only with --verbose: the action's own error is what the user reads (issue 19)
    expect(r.stderr).not.toContain("command:");
    const verbose = await local(dir, ["build", "//bad:f", "--verbose"]);
    expect(verbose.exitCode).toBe(1);
    expect(verbose.stderr).toMatch(/^Action failed: root\/\/bad:f \(strata_compile compile\): exit code 3\n {2}command: \[".*"\]$/m);
  });
});
