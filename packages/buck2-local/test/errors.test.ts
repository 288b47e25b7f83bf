// Code that Buck2 rejects must fail in the driver too, with an `error:` first line naming the target or package.
import { describe, expect, it } from "vitest";
import { fixture, local } from "./helpers.js";

const LOAD_BAD = 'load("//rules:bad.bzl", "bad", "unnamed_rule")\n';

async function buildError(targets: string, pattern: string, extra: Record<string, string> = {}): Promise<string> {
  const dir = fixture("basic", { "bad/TARGETS": targets, ...extra });
  const r = await local(dir, ["build", pattern]);
  expect(r.exitCode).toBe(1);
  expect(r.stdout).toBe("");
  return r.stderr;
}

describe("strata local build: Buck2 errors", () => {
  it("rejects def in a BUCK file", async () => {
    const e = await buildError("def f():\n    pass\n", "//bad:x");
    expect(e.split("\n")[0]).toBe("bad/TARGETS:1:1: error: root//bad: `def` is not allowed in this dialect");
  });

  it("rejects type annotations in a BUCK file", async () => {
    const e = await buildError("x: str = 1\n", "//bad:x");
    expect(e.split("\n")[0]).toBe("bad/TARGETS:1:4: error: root//bad: type annotations are not allowed in this dialect");
  });

  it("rejects top-level if in a BUCK file", async () => {
    const e = await buildError("if True:\n    x = 1\n", "//bad:x");
    expect(e.split("\n")[0]).toContain("`if` cannot be used outside `def`");
  });

  it("rejects a rule that was never assigned to a top-level variable", async () => {
    const e = await buildError(LOAD_BAD + 'unnamed_rule(name = "x", mode = "args")\n', "//bad:x");
    expect(e.split("\n")[0]).toMatch(/^bad\/TARGETS:2:1: error: root\/\/bad: rule defined in `@root\/\/rules:bad.bzl` is called, but it was never assigned to a top-level variable/);
  });

  it("rejects an unknown attribute, naming it", async () => {
    const e = await buildError(LOAD_BAD + 'bad(name = "x", mode = "args", modez = 1)\n', "//bad:x");
    expect(e.split("\n")[0]).toBe("bad/TARGETS:2:1: error: root//bad:x: unknown attribute `modez` for rule `bad`");
  });

  it("rejects a value of the wrong type, naming attribute, type and value", async () => {
    const e = await buildError(LOAD_BAD + 'bad(name = "x", mode = 3)\n', "//bad:x");
    expect(e.split("\n")).toEqual(expect.arrayContaining([
      "bad/TARGETS:2:1: error: root//bad:x: error coercing attribute `mode` of type `attrs.string()`",
      "  expected: a string",
      "  found:    3 (type `int`)",
    ]));
  });

  it("rejects a missing mandatory attribute", async () => {
    const e = await buildError(LOAD_BAD + 'bad(name = "x")\n', "//bad:x");
    expect(e.split("\n")[0]).toBe("bad/TARGETS:2:1: error: root//bad:x: missing mandatory attribute `mode` for rule `bad`");
  });

  it("rejects a duplicate target name", async () => {
    const e = await buildError(LOAD_BAD + 'bad(name = "x", mode = "args")\nbad(name = "x", mode = "args")\n', "//bad:x");
    expect(e.split("\n")[0]).toBe("bad/TARGETS:3:1: error: root//bad:x: Attempted to register target `root//bad:x` twice (both with rule `bad` and `bad`)");
    expect(e.split("\n")[1]).toBe("  first registered at bad/TARGETS:2:1");
  });

  it("rejects a dependency on a target that does not exist", async () => {
    const e = await buildError('json_facts(name = "x", deps = ["//app:nope"])\n', "//bad:x");
    expect(e.split("\n")[0]).toBe("error: root//bad:x: unknown target `root//app:nope`");
  });

  it("rejects a dependency on a private target of another package", async () => {
    const e = await buildError('json_facts(name = "x", deps = ["//app:acopy"])\n', "//bad:x");
    expect(e.split("\n")[0]).toMatch(/^error: root\/\/bad:x: `root\/\/app:acopy` is not visible to `root\/\/bad:x`/);
  });

  it("accepts visibility patterns that match and rejects a missing provider", async () => {
    const e = await buildError('json_facts(name = "x", deps = ["//bad/sub:c"])\n', "//bad:x", {
      "bad/sub/TARGETS": 'copy(name = "c", src = "f.txt", visibility = ["//bad/..."])\n',
      "bad/sub/f.txt": "f\n",
    });
    expect(e.split("\n")[0]).toBe(
      "bad/TARGETS:1:24: error: root//bad:x: attribute `deps` of `json_facts`: Attribute requires a dep that provides `FactsInfo`, but it was not found on `root//bad/sub:c`. Found these providers: DefaultInfo",
    );
  });

  it("rejects a source file in a subpackage", async () => {
    const e = await buildError('copy(name = "x", src = "sub/f.txt")\n', "//bad:x", {
      "bad/sub/TARGETS": "",
      "bad/sub/f.txt": "f\n",
    });
    expect(e.split("\n")[0]).toMatch(/^bad\/TARGETS:1:1: error: root\/\/bad:x: attribute `src`: source file `sub\/f.txt` belongs to package `root\/\/bad\/sub`/);
  });

  it("rejects a missing source file", async () => {
    const e = await buildError('copy(name = "x", src = "nope.txt")\n', "//bad:x");
    expect(e.split("\n")[0]).toBe(
      "bad/TARGETS:1:18: error: root//bad:x: attribute `src` of `copy`: source file `nope.txt` does not exist as a member of package `root//bad` (looked for `bad/nope.txt`)",
    );
  });

  it("rejects a sub-target that does not exist", async () => {
    const e = await buildError('json_facts(name = "x")\n', "//app:both[nope]");
    expect(e.split("\n")[0]).toBe("error: root//app:both[nope]: target `root//app:both` has no sub-target `nope` (available: facts)");
  });

  const analysisCases: [string, RegExp][] = [
    ["dup_action", /multiple actions with category `step` and no identifier/],
    ["unbound", /output `out` was declared but never bound by an action/],
    ["bound_twice", /output `out` is bound twice/],
    ["bad_category", /action category `Bad-Category` must be lower snake_case/],
    ["no_outputs", /action `nothing` has no outputs/],
    ["no_default_info", /did not return a `DefaultInfo` provider/],
  ];
  for (const [mode, message] of analysisCases) {
    it(`rejects an analysis that breaks Buck2's action rules: ${mode}`, async () => {
      const e = await buildError(LOAD_BAD + `bad(name = "x", mode = "${mode}")\n`, "//bad:x");
      const first = e.split("\n")[0]!;
      // the place is the line of the rule's implementation that broke the rule (or the target's call in TARGETS)
      expect(first).toMatch(/^(rules\/bad\.bzl|bad\/TARGETS):\d+:\d+: error: root\/\/bad:x: /);
      expect(first).toMatch(message);
    });
  }

  it("rejects a plain dep on a toolchain rule", async () => {
    const e = await buildError('json_facts(name = "x", deps = ["toolchains//:sh"])\n', "//bad:x");
    expect(e.split("\n")[0]).toMatch(/is a toolchain rule \(`sh_toolchain`\) and can only be used through `attrs.toolchain_dep`/);
  });
});
