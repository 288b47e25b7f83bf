// Issue 19 item 3: every error of a feature starts with `path/BUCK:line:col: error:` at the feature's call (the rules
// write `loc` = `path:line`; the runner finds the column in the file) and names the fix in Starlark.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { emptyFacts, planPhase } from "../../src/depgraph/index.js";
import { StrataError, renderErrors } from "../../src/errors.js";
import { parseFeatures } from "../../src/features/registry.js";
import { callColumn } from "../../src/features/site.js";
import { withRequest } from "../../src/request-context.js";
import type { FactsView } from "../../src/types.js";
import { baseFacts, factsOf } from "../depgraph/facts-fixture.js";

const L = "root//img:x";

// A user's BUCK file; the features below name its lines as the rules do (`loc`)
const BUCK = [
  'load("//rules:defs.bzl", "feature", "image")', // 1
  "image.layer(", // 2
  '    name = "x",', // 3
  "    features = [", // 4
  '        feature.install_text(dst = "/opt/svc/app.conf", text = "x"),', // 5
  '        feature.install_text(dst = "/etc/app.conf", text = "x", group = "worker"),', // 6
  '        feature.install_text(dst = "/etc/motd", text = "hi"),', // 7
  '        feature.install_text(dst = "/etc/a", text = "1"), feature.install_text(dst = "/etc/a", text = "2"),', // 8
  '        feature.user_add(username = "u", primary_group = "root", home_dir = "/"),', // 9
  '        feature.install_text(dst = "/etc/group", text = "root:x:0:\\n", user = "u"),', // 10
  "    ],",
  ")",
  "",
].join("\n");

function project(): string {
  const dir = mkdtempSync(join(tmpdir(), "strata-sites-"));
  mkdirSync(join(dir, "img"));
  writeFileSync(join(dir, "img/BUCK"), BUCK);
  return dir;
}

/** planPhase's error for `raw` (each with its line of img/BUCK), run as from the project root. */
async function errorsOf(raw: Array<Record<string, unknown> & { line: number }>, parent: FactsView = baseFacts()): Promise<StrataError> {
  const root = project();
  const features = raw.map(({ line, ...f }) => ({ label: L, loc: `img/BUCK:${line}`, ...f }));
  const out: string[] = [];
  const sink = { write: (t: string) => void out.push(t) };
  return withRequest({ env: {}, cwd: root, stdout: sink, stderr: sink }, async () => {
    try {
      await planPhase(parseFeatures(JSON.stringify(features), L, "compile"), { label: L, projectRoot: root, parent, layerFacts: () => emptyFacts() });
    } catch (e) {
      if (e instanceof StrataError) return e;
      throw e;
    }
    throw new Error("expected a StrataError");
  });
}

const errorLines = (e: StrataError): string[] => e.message.split("\n").filter((l) => / error: /.test(l) || l.startsWith("error: "));

describe("errors of a feature at its call", () => {
  it("a missing directory: at the call, with feature.ensure_dirs_exist as the fix", async () => {
    const e = await errorsOf([{ line: 5, type: "install_text", dst: "/opt/svc/app.conf", text: "x" }]);
    expect(e.message.split("\n")).toEqual([
      'img/BUCK:5:9: error: root//img:x: install_text(dst="/opt/svc/app.conf"): requires "/opt/svc" but nothing provides it',
      "  expected: a path that is a directory",
      "  found:    not provided by this phase nor present in the parent layer",
      '  fix:      feature.ensure_dirs_exist(dirs = "/opt/svc") in the same layer, or a parent_layer that has it',
    ]);
    expect(e.details[0]!.at).toBe("img/BUCK:5:9");
  });

  it("a missing group: feature.group_add(groupname = ...)", async () => {
    const e = await errorsOf([{ line: 6, type: "install_text", dst: "/etc/app.conf", text: "x", group: "worker" }]);
    expect(errorLines(e)).toEqual(['img/BUCK:6:9: error: root//img:x: install_text(dst="/etc/app.conf"): requires group "worker" but nothing provides it']);
    expect(e.details[0]!.fix).toBe('feature.group_add(groupname = "worker") in the same layer, or a parent_layer that has it');
  });

  it("a path the parent layer has: feature.remove(path = ...) in the same layer", async () => {
    const e = await errorsOf([{ line: 7, type: "install_text", dst: "/etc/motd", text: "hi" }], baseFacts({ paths: [{ path: "/etc/motd", type: "file" }] }));
    expect(errorLines(e)).toEqual(['img/BUCK:7:9: error: root//img:x: install_text(dst="/etc/motd"): "/etc/motd" already exists in the parent layer']);
    expect(e.details[0]!.fix).toMatch(/^feature\.remove\(path = "\/etc\/motd"\) in the same layer/);
  });

  it("two calls on one line: each at its own column; the conflict at the second, the notes place both", async () => {
    const e = await errorsOf([
      { line: 8, type: "install_text", dst: "/etc/a", text: "1" },
      { line: 8, type: "install_text", dst: "/etc/a", text: "2" },
    ]);
    expect(e.details).toHaveLength(1);
    expect(e.details[0]!.kind).toBe("conflict");
    expect(e.details[0]!.at).toBe("img/BUCK:8:59");
    expect(e.details[0]!.notes!.map((n) => n.replace(/.* at /, ""))).toEqual(["img/BUCK:8:9", "img/BUCK:8:59"]);
    expect(e.details[0]!.fix).toMatch(/^keep one of these features/);
  });

  it("a cycle: at its first feature, every feature of it placed", async () => {
    const parent = factsOf({ paths: [{ path: "/etc", type: "directory" }, { path: "/etc/passwd", type: "file" }, { path: "/sbin/nologin", type: "file", mode: 0o755 }] });
    const e = await errorsOf(
      [
        { line: 9, type: "user_add", username: "u", primary_group: "root", home_dir: "/" },
        { line: 10, type: "install_text", text: "root:x:0:\n", dst: "/etc/group", user: "u" },
      ],
      parent,
    );
    const cycle = e.details.find((d) => d.kind === "cycle")!;
    expect(cycle.at).toBe("img/BUCK:9:9");
    expect(cycle.notes).toEqual(['  user_add(username="u") at img/BUCK:9:9', '-> install_text(dst="/etc/group") at img/BUCK:10:9', '-> user_add(username="u") at img/BUCK:9:9 (again)']);
  });

  it("a schema error of the features file is placed too", () => {
    const root = project();
    const sink = { write: () => {} };
    let err: unknown;
    withRequest({ env: {}, cwd: root, stdout: sink, stderr: sink }, async () => {
      try {
        parseFeatures([{ type: "install_text", label: L, loc: "img/BUCK:7", text: "x", dst: "etc/motd" }], L);
      } catch (e) {
        err = e;
      }
    });
    expect((err as StrataError).message).toMatch(/^img\/BUCK:7:9: error: root\/\/img:x: feature #0 \(install_text\): invalid attribute "dst"/);
  });

  it("every error line of a failing phase has a place when every feature has one", async () => {
    const e = await errorsOf(
      [
        { line: 5, type: "install_text", dst: "/opt/svc/app.conf", text: "x" },
        { line: 6, type: "install_text", dst: "/etc/app.conf", text: "x", group: "worker" },
        { line: 7, type: "install_text", dst: "/etc/motd", text: "hi" },
      ],
      baseFacts({ paths: [{ path: "/etc/motd", type: "file" }] }),
    );
    const lines = errorLines(e);
    expect(lines[0]).toBe("error: root//img:x: 3 errors"); // the summary names the target
    expect(lines.slice(1).map((l) => /^img\/BUCK:\d+:\d+: error: /.test(l))).toEqual([true, true, true]);
  });
});

describe("the features file's loc", () => {
  it("is kept through parsing, refused when malformed, and does not make identical features differ", async () => {
    const f = { type: "ensure_dirs_exist", label: L, dirs: "/etc" };
    expect(parseFeatures([{ ...f, loc: "img/BUCK:3" }], L)[0]!.loc).toBe("img/BUCK:3");
    expect(() => parseFeatures([{ ...f, loc: "img/BUCK" }], L)).toThrow(/invalid attribute "loc"/);
    expect(() => parseFeatures([{ ...f, loc: 3 }], L)).toThrow(/invalid attribute "loc"/);
    // the same directory from two places is one feature (no conflict, one step)
    const plan = await planPhase(parseFeatures([{ ...f, loc: "img/BUCK:3" }, { ...f, loc: "img/BUCK:9" }], L), { label: L, projectRoot: "/", parent: baseFacts(), layerFacts: () => emptyFacts() });
    expect(plan.order).toHaveLength(1);
  });

  it("without the file to read, the place is the line, column 1", async () => {
    const parsed = parseFeatures([{ type: "install_text", label: L, loc: "gone/BUCK:4", text: "x", dst: "/nodir/x" }], L);
    await expect(planPhase(parsed, { label: L, projectRoot: "/", parent: baseFacts(), layerFacts: () => emptyFacts() })).rejects.toThrow(/^gone\/BUCK:4:1: error: /);
  });
});

describe("the column of a call", () => {
  it("is where the callee starts, `feature.` included, the n-th call for the n-th feature", () => {
    const line = '    feature.remove(path = "/a"), feature.install(src = "x", dst = "/b"), feature.remove(path = "/c"),';
    expect(callColumn(line, "remove", 0)).toBe(5);
    expect(callColumn(line, "remove", 1)).toBe(74);
    expect(callColumn(line, "install", 0)).toBe(34);
    expect(callColumn('x = [fx . install_text(dst = "/a")]', "install_text", 0)).toBe(6);
    // install is not install_text
    expect(callColumn('    feature.install_text(dst = "/a", text = "")', "install", 0)).toBe(5);
    // a macro of the user's on the line (the call is elsewhere): its first character
    expect(callColumn("        my_files(),", "install", 0)).toBe(9);
    // more features than calls (a list comprehension): the first call
    expect(callColumn('[feature.remove(path = p) for p in ["/a", "/b"]]', "remove", 1)).toBe(2);
  });
});

describe("rendering", () => {
  it("puts the place first and the fix last; a place with a newline stays on its line", () => {
    expect(renderErrors([{ at: "a/BUCK:1:2", label: "//a:b", feature: "f()", message: "m", expected: "e", found: "f", fix: 'feature.remove(path = "/x")' }]).split("\n")).toEqual([
      "a/BUCK:1:2: error: //a:b: f(): m",
      "  expected: e",
      "  found:    f",
      '  fix:      feature.remove(path = "/x")',
    ]);
    expect(renderErrors([{ at: "a\nerror: x", label: "//a:b", message: "m" }])).toBe("a\\nerror: x: error: //a:b: m");
  });
});
