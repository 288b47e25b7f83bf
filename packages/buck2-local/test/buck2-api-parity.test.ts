// Parts of the Buck2 API the driver matches: platform providers and `[build] execution_platforms`, cmd_args'
// `inputs`/`outputs` attributes, positional-only action parameters, and per-cell `[project] ignore`.
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { evaluateTargets } from "../src/evaluation.js";
import { fixture, local } from "./helpers.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

const BUCKCONFIG_WITH_PLATFORM = [
  "[cells]",
  "root = .",
  "prelude = prelude",
  "toolchains = toolchains",
  "[buildfile]",
  "name = TARGETS",
  "[build]",
  "execution_platforms = //platforms:p",
  "",
].join("\n");

/** The basic fixture with `//platforms:p` as execution platform, returning what `body` builds in its impl. */
function withPlatform(body: string): string {
  const impl = `def _i(ctx):\n    cfg = ConfigurationInfo(constraints = {}, values = {})\n    exe = CommandExecutorConfig(local_enabled = True, remote_enabled = False)\n${body}\n\np = rule(impl = _i, attrs = {})\n`;
  return fixture("basic", {
    ".buckconfig": BUCKCONFIG_WITH_PLATFORM,
    "platforms/defs.bzl": impl,
    "platforms/TARGETS": 'load(":defs.bzl", "p")\np(name = "p")\n',
  });
}

function analysisRule(body: string): Record<string, string> {
  const impl = `def _i(ctx):\n    out = ctx.actions.declare_output("o")\n${body.replace(/^/gm, "    ")}\n    return [DefaultInfo(default_output = out)]\n\nr = rule(impl = _i, attrs = {"src": attrs.source()})\n`;
  return { "x/r.bzl": impl, "x/TARGETS": 'load(":r.bzl", "r")\nr(name = "t", src = "s.txt")\n', "x/s.txt": "source\n" };
}

describe("execution platforms", () => {
  it("evaluates the real prelude//platforms:local named by the real .buckconfig", async () => {
    const r = await local(repoRoot, ["build", "prelude//platforms:local"]);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    const ev = await evaluateTargets(repoRoot, ["prelude//platforms:local"]);
    const providers = ev.requested[0]?.providers;
    expect(providers?.["PlatformInfo"]).toEqual({ label: "prelude//platforms:local", configuration: { constraints: {}, values: {} } });
    expect(providers?.["ExecutionPlatformRegistrationInfo"]).toMatchObject({
      platforms: [{ label: "prelude//platforms:local", executor_config: { local_enabled: true, remote_enabled: false } }],
      fallback: null,
    });
  });

  it("builds when the configured execution platform provides ExecutionPlatformRegistrationInfo", async () => {
    const dir = withPlatform(
      "    return [DefaultInfo(), ExecutionPlatformRegistrationInfo(platforms = [ExecutionPlatformInfo(label = ctx.label.raw_target(), configuration = cfg, executor_config = exe)], fallback = \"error\")]",
    );
    const r = await local(dir, ["build", "//app:facts"]);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
  });

  it("fails every command when the configured execution platform lacks ExecutionPlatformRegistrationInfo", async () => {
    const dir = withPlatform('    return [DefaultInfo(), PlatformInfo(label = "p", configuration = cfg)]');
    const r = await local(dir, ["build", "//app:facts"]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.split("\n")[0]).toBe(
      "error: root//platforms:p: expected `root//platforms:p` to provide a `ExecutionPlatformRegistrationInfo` as it is configured as the `build.execution_platforms` value",
    );
    expect(r.stderr).toContain("it provides: DefaultInfo, PlatformInfo");
  });

  it("fails when the configured execution platform target does not exist", async () => {
    const dir = fixture("basic", { ".buckconfig": BUCKCONFIG_WITH_PLATFORM.replace("//platforms:p", "//app:nope") });
    const r = await local(dir, ["build", "//app:facts"]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("unknown target `root//app:nope`");
  });

  const bad: [string, string, string][] = [
    ["a string label in ExecutionPlatformInfo", "ExecutionPlatformInfo(label = \"x\", configuration = cfg, executor_config = exe)", "ExecutionPlatformInfo: parameter `label` must be a TargetLabel"],
    ["a struct as executor_config", "ExecutionPlatformInfo(label = ctx.label.raw_target(), configuration = cfg, executor_config = struct())", "parameter `executor_config` must be a CommandExecutorConfig"],
    ["a missing ConfigurationInfo.values", "ConfigurationInfo(constraints = {})", "ConfigurationInfo: missing named-only parameter `values`"],
    ["a positional ConfigurationInfo argument", "ConfigurationInfo({}, {})", "ConfigurationInfo: takes only named arguments"],
    ["a bad ConfigurationInfo.values key", 'ConfigurationInfo(constraints = {}, values = {"nodot": "1"})', "key `nodot` in `values` must be `section.key`"],
    ["a PlatformInfo with a non-string label", "PlatformInfo(label = ctx.label.raw_target(), configuration = cfg)", "PlatformInfo: parameter `label` must be a string"],
    ["a non-platform in platforms", "ExecutionPlatformRegistrationInfo(platforms = [cfg])", "parameter `platforms` must be a list of ExecutionPlatformInfo"],
    ["positional CommandExecutorConfig arguments", "CommandExecutorConfig(True, False)", "CommandExecutorConfig"],
  ];
  for (const [what, expr, message] of bad) {
    it(`rejects ${what}`, async () => {
      const dir = withPlatform(`    x = ${expr}\n    return [DefaultInfo()]`);
      const r = await local(dir, ["build", "//app:facts"]);
      expect(r.exitCode).toBe(1);
      expect(r.stderr.split("\n")[0]).toContain("root//platforms:p");
      expect(r.stderr).toContain(message);
    });
  }

  it("rejects a fallback that is neither an ExecutionPlatformInfo nor \"error\"/\"use_unspecified\"", async () => {
    const dir = withPlatform('    return [DefaultInfo(), ExecutionPlatformRegistrationInfo(platforms = [], fallback = "bogus")]');
    const r = await local(dir, ["build", "//app:facts"]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('expected `fallback` to be an ExecutionPlatformInfo or one of the strings "error" or "use_unspecified"');
  });
});

describe("cmd_args inputs and outputs", () => {
  it("`inputs` is an attribute carrying the artifacts read (also ones added later), `outputs` lists the output artifacts", async () => {
    const dir = fixture(
      "basic",
      analysisRule(
        [
          'gen = ctx.actions.write("gen.txt", "generated")',
          'c = cmd_args("cat", ctx.attrs.src)',
          "ins = c.inputs",
          "c.add(gen, out.as_output())",
          'flag = ctx.actions.declare_output("flag")',
          'ctx.actions.run(cmd_args("touch", flag.as_output(), hidden = ins), category = "check")',
          'ctx.actions.run(c, category = "cat")',
          'facts = ctx.actions.declare_output("facts.json")',
          'ctx.actions.write_json(facts, {"rendered": cmd_args("x", ins), "outputs": c.outputs, "none": cmd_args("a").outputs})',
        ].join("\n"),
      ),
    );
    const ev = await evaluateTargets(dir, ["//x:t"]);
    const check = ev.actions.find((a) => a.category === "check");
    expect(check?.argv).toEqual(["touch", "buck-out/v2/gen/root/x/__t__/flag"]);
    expect(check?.inputs.map((i) => i.path)).toEqual(["x/s.txt", "buck-out/v2/gen/root/x/__t__/gen.txt"]);
    expect(check?.outputs.map((o) => o.path)).toEqual(["buck-out/v2/gen/root/x/__t__/flag"]);
    const facts = ev.actions.find((a) => a.category === "write_json");
    expect(JSON.parse(facts?.content ?? "null")).toEqual({ rendered: ["x"], outputs: ["buck-out/v2/gen/root/x/__t__/o"], none: [] });
  });

  it("rejects calling `inputs` as a method", async () => {
    const dir = fixture("basic", analysisRule('x = cmd_args("a").inputs()\nctx.actions.write(out, "")'));
    const r = await local(dir, ["build", "//x:t"]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("not supported");
  });
});

describe("positional-only and named-only action parameters, as Buck2's", () => {
  const rejected: [string, string][] = [
    ['ctx.actions.run(arguments = ["touch", out.as_output()], category = "c")', "Missing positional-only parameter `arguments`"],
    ['ctx.actions.run(["touch", out.as_output()], "c")', "Missing named-only parameter `category`"],
    ["ctx.actions.write_json(out, value = {})", "Missing positional-only parameter `content`"],
    ["ctx.actions.write_json(out, content = {})", "Missing positional-only parameter `content`"],
    ['ctx.actions.write_json(out, {}, True)', "extra positional"],
    ['ctx.actions.write(output = out, content = "")', "Missing positional-only parameter `output`"],
    ['ctx.actions.write(out, "", True)', "extra positional"],
    ['o2 = ctx.actions.declare_output(prefix = "p")\nctx.actions.write(out, "")', "Missing positional-only parameter `prefix`"],
    ['ctx.actions.copy_file(out, src = ctx.attrs.src)', "Missing positional-only parameter `src`"],
    ['ctx.actions.symlink_file(dest = out, src = ctx.attrs.src)', "Missing positional-only parameter `dest`"],
    ['ctx.actions.download_file(out, url = "https://example.com/x", sha256 = "0" * 64)', "Missing positional-only parameter `url`"],
  ];
  for (const [call, message] of rejected) {
    it(`rejects ${call.split("\n")[0]}`, async () => {
      const dir = fixture("basic", analysisRule(call));
      const r = await local(dir, ["build", "//x:t"]);
      expect(r.exitCode).toBe(1);
      expect(r.stderr.split("\n")[0]).toContain("root//x:t");
      expect(r.stderr).toContain(message);
    });
  }

  it("accepts the same calls written as Buck2 requires", async () => {
    const dir = fixture(
      "basic",
      analysisRule(
        [
          'j = ctx.actions.declare_output("sub", "j.json")',
          'ctx.actions.write_json(j, {"a": 1}, pretty = True)',
          'w = ctx.actions.write("w.txt", "w", is_executable = True)',
          'c = ctx.actions.copy_file("c.txt", ctx.attrs.src)',
          's = ctx.actions.symlink_file("s.txt", ctx.attrs.src)',
          'ctx.actions.run(cmd_args("touch", out.as_output(), hidden = [j, w, c, s]), category = "c", identifier = "i")',
        ].join("\n"),
      ),
    );
    const r = await local(dir, ["build", "//x:t"]);
    // nothing but the progress lines a slow (loaded) machine shows after a second
    expect(r.stderr.split("\n").filter((l) => l !== "" && !/^Building: |^ {2}\S+ \(.*\) -- [\d.]+s$/.test(l))).toEqual([]);
    expect(JSON.parse(readFileSync(join(dir, "buck-out/v2/gen/root/x/__t__/sub/j.json"), "utf8"))).toEqual({ a: 1 });
  });
});

describe("[project] ignore", () => {
  it("applies each cell's own `[project] ignore`, relative to that cell", async () => {
    const dir = fixture("basic", {
      "toolchains/.buckconfig": "[buildfile]\nname = TARGETS\n[project]\nignore = skipme\n",
      "toolchains/skipme/TARGETS": "this is not starlark\n",
      "toolchains/kept/TARGETS": 'load("@root//rules:defs.bzl", "sh_toolchain")\nsh_toolchain(name = "k")\n',
    });
    const r = await local(dir, ["build", "toolchains//...", "--show-output"]);
    expect(r.stderr).toBe("");
    expect(r.stdout.split("\n").map((l) => l.split(" ")[0]).sort()).toEqual(["toolchains//:sh", "toolchains//kept:k"]);
    // the root cell's ignore does not reach into another cell: without the cell's own entry, `skipme` is a package
    const noCellIgnore = fixture("basic", {
      ".buckconfig": readFileSync(join(dir, ".buckconfig"), "utf8") + "[project]\nignore = skipme\n",
      "toolchains/skipme/TARGETS": "this is not starlark\n",
    });
    const bad = await local(noCellIgnore, ["build", "toolchains//..."]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain("skipme");
  });
});
