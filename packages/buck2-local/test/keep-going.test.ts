// Several failing targets are all reported (`--keep-going` as in Buck2), and a build longer than a second says
// what it is doing (issue 9, items 9 and 10).
import { execa } from "execa";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { SH_OUT_RULE, fixture, local } from "./helpers.js";

const strata = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "bin", "strata.mjs");

const FILES = {
  "rules/sh.bzl": SH_OUT_RULE,
  "p/TARGETS": `load("//rules:sh.bzl", "sh_out")
sh_out(name = "f1", cmd = 'echo "error: f1 broke" >&2; exit 3')
sh_out(name = "f2", cmd = 'echo "error: f2 broke" >&2; exit 4')
sh_out(name = "after_f1", cmd = 'cat "$1" > "$0"', srcs = [":f1"])
sh_out(name = "ok", cmd = 'echo ok > "$0"')
sh_out(name = "slow", cmd = 'while [ ! -e go ]; do sleep 0.05; done; echo done > "$0"')
`,
};

describe("strata local build --keep-going", () => {
  it("reports every failing target and builds the rest", async () => {
    const dir = fixture("basic", FILES);
    const r = await local(dir, ["build", "//p:f1", "//p:after_f1", "//p:f2", "//p:ok", "--keep-going"], { STRATA_PROGRESS: "off" });
    expect(r.exitCode).toBe(1);
    const lines = r.stderr.split("\n");
    expect(lines[0]).toMatch(/^error: f[12] broke$/);
    expect(lines).toContain("error: f1 broke");
    expect(lines).toContain("error: f2 broke");
    expect(lines).toContain("Action failed: root//p:f1 (sh): exit code 3");
    expect(lines).toContain("Action failed: root//p:f2 (sh): exit code 4");
    expect(lines.slice(lines.indexOf("BUILD FAILED"))).toEqual([
      "BUILD FAILED",
      "Failed to build 'root//p:f1'",
      "Failed to build 'root//p:after_f1'",
      "Failed to build 'root//p:f2'",
    ]);
    expect(readFileSync(join(dir, "buck-out/v2/gen/root/p/__ok__/out"), "utf8")).toBe("ok\n");
    expect(existsSync(join(dir, "buck-out/v2/gen/root/p/__after_f1__/out"))).toBe(false);
  });

  it("reports the evaluation errors of every requested target, not only the first", async () => {
    const dir = fixture("basic", {
      ...FILES,
      // a BUCK file stops at its first error (as in Buck2), so the two errors are in two packages
      "q/TARGETS": 'load("//rules:sh.bzl", "sh_out")\nsh_out(name = "a", cmd = 1)\n',
      "r/TARGETS": 'load("//rules:sh.bzl", "sh_out")\nsh_out(name = "b", cmd = "true", srcs = ["nope.txt"])\n',
    });
    const r = await local(dir, ["build", "//q:a", "//r:b", "--keep-going"]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^q\/TARGETS:2:1: error: root\/\/q:a: error coercing attribute `cmd`/);
    expect(r.stderr).toContain("r/TARGETS:2:34: error: root//r:b: attribute `srcs` of `sh_out`: source file `nope.txt` does not exist");
  });
});

describe("progress", () => {
  it("a build running longer than a second shows targets done/total and the running actions", async () => {
    const dir = fixture("basic", FILES);
    const child = execa("node", [strata, "local", "build", "//p:ok", "//p:slow"], { cwd: dir, reject: false, env: { STRATA_PROGRESS: "lines" } });
    let err = "";
    await new Promise<void>((res) => {
      child.stderr!.on("data", (d: Buffer) => {
        err += d.toString();
        if (err.includes("  root//p:slow (sh) -- ")) res();
      });
    });
    writeFileSync(join(dir, "go"), "");
    const r = await child;
    expect(r.exitCode).toBe(0);
    expect(err).toMatch(/^Building: 1\/2 targets done, actions: 1\/2 finished, 1 running\. Time elapsed: \d+\.\ds$/m);
    expect(err).toMatch(/^ {2}root\/\/p:slow \(sh\) -- \d+\.\ds$/m);
  });

  it("--verbose keeps the full log of actions run and skipped", async () => {
    const dir = fixture("basic", FILES);
    const r = await local(dir, ["build", "//p:ok", "--verbose"]);
    expect(r.stderr.split("\n")).toEqual(expect.arrayContaining(["running root//p:ok (sh)", "actions: 1 ran, 0 skipped"]));
    const again = await local(dir, ["build", "//p:ok", "--verbose"]);
    expect(again.stderr).toContain("skipped root//p:ok (sh)");
  });
});
