// Label and Dependency values in rule implementations behave as Buck2's (fixture rules: rules/probe.bzl).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fixture, local } from "./helpers.js";

// the probe package is added per test so that `//...` in other tests sees the fixture unchanged
const PROBE_TARGETS = [
  'load("//rules:probe.bzl", "deps_probe", "labels_probe", "runnable")',
  'labels_probe(name = "labels")',
  'deps_probe(name = "deps", dep = "//app:both", sub = "//app:both[facts]", deps = ["//app:both", "//app:both[facts]"])',
  'runnable(name = "sh", cmd = ["/bin/sh"])',
  `runnable(name = "show_args", cmd = ["/bin/sh", "-c", 'printf "<%s>\\n" "$@"', "argv0"])`,
].join("\n");

function probe(): string {
  return fixture("basic", { "probe/TARGETS": PROBE_TARGETS });
}

function built(dir: string, rel: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(dir, rel), "utf8")) as Record<string, unknown>;
}

describe("label and dependency values", () => {
  it("ctx.label renders as Buck2's Label; raw_target() is a TargetLabel with name, package and cell", async () => {
    const dir = probe();
    const r = await local(dir, ["build", "//probe:labels"]);
    expect(r.stderr).toBe("");
    expect(built(dir, "buck-out/v2/gen/root/probe/__labels__/labels.json")).toEqual({
      str: "root//probe:labels (<unspecified>)",
      format: "root//probe:labels (<unspecified>)|root//probe:labels",
      percent: "root//probe:labels (<unspecified>)|root//probe:labels",
      percent_one: "<root//probe:labels>",
      name: "labels",
      package: "probe",
      cell: "root",
      path: "root//probe",
      sub_target: null,
      raw_str: "root//probe:labels",
      raw_parts: ["labels", "probe", "root"],
      conf_str: "root//probe:labels (<unspecified>)",
      conf_raw: "root//probe:labels",
      equal: true,
      as_key: 1,
      plain_str: "3x",
      plain_percent: "5%",
    });
  });

  it("a dependency has .label, .providers, .sub_target(), [P], .get(P) and `P in dep`", async () => {
    const dir = probe();
    const r = await local(dir, ["build", "//probe:deps"]);
    expect(r.stderr).toBe("");
    expect(built(dir, "buck-out/v2/gen/root/probe/__deps__/deps.json")).toEqual({
      label: "root//app:both (<unspecified>)",
      label_name: "both",
      label_raw: "root//app:both",
      sub_label: "root//app:both[facts] (<unspecified>)",
      sub_label_sub: ["facts"],
      index: ["buck-out/v2/gen/root/app/__both__/out.txt"],
      get_missing: true,
      get_present: 2,
      in: [true, false, true],
      providers: 2,
      sub_target: ["root//app:both[facts] (<unspecified>)", 2],
      dep_str: "<dependency root//app:both (<unspecified>)>",
      list_labels: ["root//app:both (<unspecified>)", "root//app:both[facts] (<unspecified>)"],
    });
  });

  it("rejects attributes a Dependency or TargetLabel does not have, as Buck2 does", async () => {
    const rule = (body: string) =>
      `def _i(ctx):\n    ${body}\n    return [DefaultInfo()]\n\nr = rule(impl = _i, attrs = {"dep": attrs.dep()})\n`;
    const cases: [string, string][] = [
      ["x = ctx.attrs.dep.raw_target", "Object of type `Dependency` has no attribute `raw_target`"],
      ["x = ctx.label.raw_target().raw_target()", "Object of type `TargetLabel` has no attribute `raw_target`"],
      ["x = ctx.label.raw_target().sub_target", "Object of type `TargetLabel` has no attribute `sub_target`"],
      ['x = ctx.attrs.dep.sub_target("nope")', "`root//app:both (<unspecified>)` has no sub-target `nope` (available: facts)"],
    ];
    for (const [body, message] of cases) {
      const dir = fixture("basic", {
        "x/r.bzl": rule(body),
        "x/TARGETS": 'load(":r.bzl", "r")\nr(name = "t", dep = "//app:both")\n',
      });
      const res = await local(dir, ["build", "//x:t"]);
      expect(res.exitCode).toBe(1);
      expect(res.stderr.split("\n")[0]).toBe(`x/r.bzl:2:5: error: root//x:t: ${message}`);
    }
  });
});

describe("strata local run", () => {
  it("passes the arguments after `--` to the RunInfo command, including ones that start with `-`", async () => {
    const dir = probe();
    const sh = await local(dir, ["run", "//probe:sh", "--", "-c", "echo hi"]);
    expect(sh.exitCode).toBe(0);
    expect(sh.stdout).toBe("hi");
    const r = await local(dir, ["run", "//probe:show_args", "--", "-x", "a b", "--flag=1", "01", "--", "y"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.split("\n")).toEqual(["<-x>", "<a b>", "<--flag=1>", "<01>", "<-->", "<y>"]);
  });

  it("passes plain positional arguments unchanged (no number parsing)", async () => {
    const dir = probe();
    const r = await local(dir, ["run", "//probe:show_args", "plain", "007"]);
    expect(r.stdout.split("\n")).toEqual(["<plain>", "<007>"]);
  });
});

describe("code Buck2 rejects is rejected", () => {
  const cases: [string, string, string][] = [
    ["a misspelt attrs parameter", 'r = rule(impl = _i, attrs = {"s": attrs.string(defualt = "x")})', "attrs.string: unexpected parameter `defualt`"],
    ["an attrs type passed uncalled", 'r = rule(impl = _i, attrs = {"s": attrs.list(attrs.string)})', "attrs.list: expected an `attrs.*` value as argument"],
    ["attrs.list without its inner type", 'r = rule(impl = _i, attrs = {"s": attrs.list()})', "attrs.list: expected 1 positional argument, got 0"],
    ["an unknown DefaultInfo field", 'r = rule(impl = _i, attrs = {})\nX = 1', "DefaultInfo: unexpected parameter `default_outptus`"],
    ["a provider_field without default left out", 'r = rule(impl = _i, attrs = {})\nX = 2', "provider `NeedInfo`: required parameter `a` is missing"],
  ];
  for (const [what, tail, message] of cases) {
    it(`rejects ${what}`, async () => {
      const impl =
        'NeedInfo = provider(fields = {"a": provider_field(int), "b": provider_field(int, default = 0)})\n' +
        "def _i(ctx):\n" +
        '    if X == 1:\n        return [DefaultInfo(default_outptus = [])]\n' +
        "    if X == 2:\n        return [DefaultInfo(), NeedInfo(b = 1)]\n" +
        "    return [DefaultInfo()]\n\n" +
        (tail.includes("X =") ? "" : "X = 0\n");
      const dir = fixture("basic", { "x/r.bzl": impl + tail + "\n", "x/TARGETS": 'load(":r.bzl", "r")\nr(name = "t")\n' });
      const res = await local(dir, ["build", "//x:t"]);
      expect(res.exitCode).toBe(1);
      expect(res.stderr.split("\n")[0]).toContain(message);
    });
  }

  // analysis-time API misuse: each body runs in a rule implementation with `out` declared
  const bodies: [string, string, string][] = [
    ["an unknown ctx.actions.run parameter", 'ctx.actions.run(["true", out.as_output()], category = "c", local = True)', "ctx.actions.run: unexpected parameter `local`"],
    ["the cmd_args.hidden() method (Buck2 has only the `hidden =` parameter)", 'ctx.actions.run(cmd_args("true", out.as_output()).hidden("x"), category = "c")', "has no attribute `hidden`"],
    ["an unknown CommandExecutorConfig parameter", 'CommandExecutorConfig(local_enabled = True, remote_enabled = False, local_only = True)\n    ctx.actions.write(out, "")', "CommandExecutorConfig: unexpected parameter `local_only`"],
  ];
  for (const [what, body, message] of bodies) {
    it(`rejects ${what}`, async () => {
      const impl = `def _i(ctx):\n    out = ctx.actions.declare_output("o")\n    ${body}\n    return [DefaultInfo(default_output = out)]\n\nr = rule(impl = _i, attrs = {})\n`;
      const dir = fixture("basic", { "x/r.bzl": impl, "x/TARGETS": 'load(":r.bzl", "r")\nr(name = "t")\n' });
      const res = await local(dir, ["build", "//x:t"]);
      expect(res.exitCode).toBe(1);
      expect(res.stderr).toContain(message);
    });
  }

  it("rejects a value attrs.any() cannot hold (a float or a struct), anywhere inside the value", async () => {
    for (const value of ["1.5", '{"k": [struct(x = 1)]}']) {
      const dir = fixture("basic", {
        "x/r.bzl": 'def _i(ctx):\n    return [DefaultInfo()]\n\nr = rule(impl = _i, attrs = {"a": attrs.any()})\n',
        "x/TARGETS": `load(":r.bzl", "r")\nr(name = "t", a = ${value})\n`,
      });
      const res = await local(dir, ["build", "//x:t"]);
      expect(res.exitCode).toBe(1);
      expect(res.stderr).toContain("error coercing attribute `a` of type `attrs.any()`");
    }
    const ok = fixture("basic", {
      "x/r.bzl": 'def _i(ctx):\n    return [DefaultInfo()]\n\nr = rule(impl = _i, attrs = {"a": attrs.any()})\n',
      "x/TARGETS": 'load(":r.bzl", "r")\nr(name = "t", a = {"k": [1, "s", None, True, (2, 3)]})\n',
    });
    const good = await local(ok, ["build", "//x:t"]);
    expect(good.stderr).toBe("");
  });

  it("accepts the same rules written correctly", async () => {
    const dir = fixture("basic", {
      "x/r.bzl":
        'NeedInfo = provider(fields = {"a": provider_field(int), "b": provider_field(int, default = 0)})\n' +
        "def _i(ctx):\n" +
        '    out = ctx.actions.declare_output("o")\n' +
        '    ctx.actions.run(cmd_args("touch", out.as_output(), hidden = []), category = "c", local_only = True, env = {"A": "1"})\n' +
        "    CommandExecutorConfig(local_enabled = True, remote_enabled = False, use_limited_hybrid = False)\n" +
        "    return [DefaultInfo(default_outputs = [out]), NeedInfo(a = 1)]\n\n" +
        'r = rule(impl = _i, attrs = {"s": attrs.string(default = "x"), "l": attrs.list(attrs.string(), default = []), "d": attrs.dict(attrs.string(), attrs.int(), sorted = True, default = {})})\n',
      "x/TARGETS": 'load(":r.bzl", "r")\nr(name = "t")\n',
    });
    const res = await local(dir, ["build", "//x:t"]);
    expect(res.stderr).toBe("");
    expect(res.exitCode).toBe(0);
  });
});
