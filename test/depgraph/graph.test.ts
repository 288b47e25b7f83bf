import { describe, expect, it } from "vitest";
import { StrataError } from "../../src/errors.js";
import { parseFeatures } from "../../src/features/registry.js";
import { emptyFacts, planPhase } from "../../src/depgraph/index.js";
import type { FactsView } from "../../src/types.js";
import { baseFacts, factsOf } from "./facts-fixture.js";

const L = "//img:layer";
const ctx = (parent: FactsView = baseFacts()) => ({ label: L, projectRoot: "/", parent, layerFacts: () => emptyFacts });

async function plan(raw: object[], parent?: FactsView) {
  return planPhase(parseFeatures(raw.map((r) => ({ label: L, ...r })), L), ctx(parent));
}

async function errorsOf(raw: object[], parent?: FactsView): Promise<StrataError> {
  try {
    await plan(raw, parent);
  } catch (e) {
    if (e instanceof StrataError) return e;
    throw e;
  }
  throw new Error("expected a StrataError");
}

const describeOrder = async (raw: object[], parent?: FactsView) => (await plan(raw, parent)).order.map((s) => s.module.describe(s.feature));

describe("ordering", () => {
  it("orders providers before requirers, ties by input order", async () => {
    const order = await describeOrder([
      { type: "install_text", text: "x", dst: "/opt/app/conf" },
      { type: "install_text", text: "y", dst: "/etc/z" },
      { type: "ensure_dirs_exist", dirs: "/opt/app" },
      { type: "user_add", username: "app", primary_group: "app", home_dir: "/opt/app" },
      { type: "group_add", groupname: "app" },
    ]);
    expect(order).toEqual([
      'install_text(dst="/etc/z")',
      'ensure_dirs_exist(dirs="/opt/app")',
      'install_text(dst="/opt/app/conf")',
      'group_add(groupname="app")',
      'user_add(username="app")',
    ]);
  });

  it("is deterministic and drops exact duplicates (label aside)", async () => {
    const raw = [
      { type: "ensure_dirs_exist", dirs: "/a/b" },
      { dirs: "/a/b", label: "//other:x", type: "ensure_dirs_exist" },
      { type: "ensure_dirs_exist", dirs: "/a/c" },
    ];
    const a = await describeOrder(raw);
    expect(a).toEqual(['ensure_dirs_exist(dirs="/a/b")', 'ensure_dirs_exist(dirs="/a/c")']);
    expect(await describeOrder(raw)).toEqual(a);
  });

  it("reports the mounts of the phase", async () => {
    const p = await plan([{ type: "layer_mount", source: "/out/base", mountpoint: "/mnt" }]);
    expect(p.mounts).toEqual([{ mountpoint: "/mnt", source: "/out/base" }]);
  });
});

describe("conflicts", () => {
  it("two features providing one file differently", async () => {
    const e = await errorsOf([
      { type: "install_text", text: "a", dst: "/etc/x" },
      { type: "install_text", text: "b", dst: "/etc/x", label: "//other:y" },
    ]);
    expect(e.message).toMatch(/^error: .*\/etc\/x is written by 2 different features/);
    expect(e.message).toContain('install_text(dst="/etc/x") [//other:y] provides file 0o444');
  });

  it("identical directories are fine; directories with different modes are not", async () => {
    await plan([
      { type: "ensure_dirs_exist", dirs: "/a/b" },
      { type: "ensure_dirs_exist", dirs: "/a/c" },
    ]);
    const e = await errorsOf([
      { type: "ensure_dirs_exist", dirs: "/a/b", mode: 0o700 },
      { type: "ensure_dirs_exist", dirs: "/a/c" },
    ]);
    expect(e.message).toMatch(/\/a is provided by 2 features/);
  });

  it("a file over a parent's file, naming the parent's origin (a genrule)", async () => {
    const parent = baseFacts({ paths: [{ path: "/etc/gen.conf", type: "file", origin: "//img:base: genrule" }] });
    const e = await errorsOf([{ type: "install_text", text: "a", dst: "/etc/gen.conf" }], parent);
    expect(e.details[0]!.message).toBe('"/etc/gen.conf" already exists in the parent layer');
    expect(e.details[0]!.found).toContain("from //img:base: genrule");
  });

  it("a parent directory re-provided as a directory is fine; a group already in the parent only when identical (antlir2's re-add)", async () => {
    await plan([{ type: "ensure_dirs_exist", dirs: "/etc/app" }]);
    const e = await errorsOf([{ type: "group_add", groupname: "wheel", gid: 5 }], baseFacts({ groups: ["wheel"] }));
    expect(e.details[0]!.message).toBe('group "wheel" already exists in the parent layer');
    await plan([{ type: "group_add", groupname: "wheel", gid: 1000 }], baseFacts({ groups: ["wheel"] }));
  });
});

describe("requirements", () => {
  it("missing: a file never provided, a user never added", async () => {
    const e = await errorsOf([
      { type: "install_text", text: "x", dst: "/nope/file" },
      { type: "requires", users: ["ghost"] },
    ]);
    expect(e.details.map((d) => d.message)).toEqual(['requires "/nope" but nothing provides it', 'requires user "ghost" but nothing provides it']);
    expect(e.message.split("\n")[0]).toBe("error: //img:layer: 2 errors");
  });

  it("validators are checked against parent facts too", async () => {
    const e = await errorsOf([
      { type: "requires", files: ["/usr/bin"] },
      { type: "install_text", text: "x", dst: "/etc/passwd/x" },
      { type: "user_add", username: "u", primary_group: "root", home_dir: "/etc/passwd", shell: "/etc/group" },
    ]);
    expect(e.details.map((d) => [d.message, d.found])).toEqual([
      ['requires "/usr/bin" to be a file', "directory 0o755 owned by 0:0 (in the parent layer)"],
      ['requires "/etc/passwd" to be a directory', "file 0o644 owned by 0:0 (in the parent layer)"],
      ['requires "/etc/passwd" to be a directory', "file 0o644 owned by 0:0 (in the parent layer)"],
      ['requires "/etc/group" to be an executable file', "file 0o644 owned by 0:0 (in the parent layer)"],
    ]);
  });

  it("validators against phase items: executable", async () => {
    const e = await errorsOf([
      { type: "install_text", text: "#!", dst: "/bin/fakeshell" },
      { type: "group_add", groupname: "g" },
      { type: "user_add", username: "u", primary_group: "g", home_dir: "/", shell: "/bin/fakeshell" },
    ]);
    expect(e.details).toHaveLength(1);
    expect(e.details[0]!.message).toBe('requires "/bin/fakeshell" to be an executable file');
    expect(e.details[0]!.found).toBe('file 0o444 owned by root:root, provided by install_text(dst="/bin/fakeshell")');
  });

  it("resolves through symlinks of the parent and of the phase, and orders after the phase's symlink", async () => {
    const parent = baseFacts({ paths: [{ path: "/usr/lib", type: "directory" }, { path: "/lib", type: "symlink", target: "usr/lib" }] });
    const order = await describeOrder(
      [
        { type: "install_text", text: "x", dst: "/lib/a.conf" },
        { type: "install_text", text: "x", dst: "/data/b.conf" },
        { type: "ensure_dir_symlink", link: "/data", target: "/usr/lib" },
        { type: "requires", files: ["/usr/lib/a.conf", "/data/a.conf"] },
      ],
      parent,
    );
    expect(order).toEqual([
      'install_text(dst="/lib/a.conf")',
      'ensure_dir_symlink(link="/data", target="/usr/lib")',
      'install_text(dst="/data/b.conf")',
      'requires(files=["/usr/lib/a.conf","/data/a.conf"], users=[], groups=[])',
    ]);
    // The same file through two spellings is one path: a conflict.
    const e = await errorsOf(
      [
        { type: "install_text", text: "x", dst: "/lib/a.conf" },
        { type: "install_text", text: "y", dst: "/usr/lib/a.conf" },
      ],
      parent,
    );
    expect(e.details[0]!.message).toBe("/usr/lib/a.conf is written by 2 different features");
  });

  it("a requirement through a symlink that leaves the image is an error", async () => {
    const parent = baseFacts({ paths: [{ path: "/up", type: "symlink", target: "../../x" }] });
    const e = await errorsOf([{ type: "install_text", text: "x", dst: "/up/f" }], parent);
    expect(e.message).toMatch(/leads outside the image/);
  });
});

describe("cycles", () => {
  it("prints the cycle, one feature per line, starting at the first feature", async () => {
    const parent = factsOf({ paths: [{ path: "/etc", type: "directory" }, { path: "/etc/passwd", type: "file" }, { path: "/sbin/nologin", type: "file", mode: 0o755 }] });
    const e = await errorsOf(
      [
        { type: "ensure_dirs_exist", dirs: "/x" },
        { type: "user_add", username: "u", primary_group: "root", home_dir: "/" },
        { type: "install_text", text: "root:x:0:\n", dst: "/etc/group", user: "u" },
      ],
      parent,
    );
    expect(e.details).toHaveLength(1);
    expect(e.details[0]!.message).toMatch(/^cycle in dependency graph \(2 features\)/);
    expect(e.details[0]!.notes).toEqual(['  user_add(username="u")', '-> install_text(dst="/etc/group")', '-> user_add(username="u") (again)']);
  });

  it("reports conflicts, missing requirements and cycles together", async () => {
    const e = await errorsOf([
      { type: "install_text", text: "a", dst: "/etc/x" },
      { type: "install_text", text: "b", dst: "/etc/x" },
      { type: "requires", groups: ["nobody"] },
      { type: "user_add", username: "u", primary_group: "root", home_dir: "/" },
      { type: "install_text", text: "", dst: "/etc/group", user: "u" },
    ], factsOf({ paths: [{ path: "/etc", type: "directory" }, { path: "/etc/passwd", type: "file" }, { path: "/sbin/nologin", type: "file", mode: 0o755 }] }));
    expect(e.details.map((d) => d.kind)).toEqual(["conflict", "missing", "cycle"]);
  });
});

describe("error kinds (tools and tests match these, not the wording)", () => {
  it("schema, conflict with the parent, missing, unsatisfied, and a layer input that is gone", async () => {
    let schema: unknown;
    try {
      parseFeatures([{ type: "install_text", label: L, text: "x", dst: "relative" }], L);
    } catch (e) {
      schema = e;
    }
    expect((schema as StrataError).details.map((d) => d.kind)).toEqual(["schema"]);
    const e = await errorsOf([
      { type: "install_text", text: "x", dst: "/etc/passwd" },
      { type: "install_text", text: "x", dst: "/nowhere/x" },
      { type: "install_text", text: "x", dst: "/bin/sh/x" },
    ]);
    expect(e.details.map((d) => [d.kind, d.feature])).toEqual([
      ["conflict", 'install_text(dst="/etc/passwd")'],
      ["missing", 'install_text(dst="/nowhere/x")'],
      ["unsatisfied", 'install_text(dst="/bin/sh/x")'],
    ]);
    const { resolveLayerOutput } = await import("../../src/storage/layers.js");
    let gone: unknown;
    try {
      resolveLayerOutput("/nonexistent/strata-out/x", { label: L, role: "parent layer" });
    } catch (err) {
      gone = err;
    }
    expect((gone as StrataError).details.map((d) => d.kind)).toEqual(["parent"]);
  });
});

describe("empty parent", () => {
  it("only / and root exist", async () => {
    const p = await plan([{ type: "ensure_dirs_exist", dirs: "/etc", user: "root", group: "root" }], emptyFacts);
    expect(p.order).toHaveLength(1);
    const e = await errorsOf([{ type: "group_add", groupname: "g" }], factsOf({}));
    expect(e.details[0]!.message).toBe('requires "/etc/group" but nothing provides it');
  });
});

describe("graphology view", () => {
  it("has one node per feature and the ordering edges", async () => {
    const { buildPhaseGraph } = await import("../../src/depgraph/graph.js");
    const { toGraphology } = await import("../../src/depgraph/graphology-view.js");
    const { analyzeFeatures } = await import("../../src/depgraph/index.js");
    const features = parseFeatures(
      [
        { type: "ensure_dirs_exist", dirs: "/opt/a" },
        { type: "install_text", text: "x", dst: "/opt/a/f" },
        { type: "install_text", text: "y", dst: "/opt/a/g" },
      ].map((f) => ({ label: L, ...f })),
      L,
    );
    const { analyzed } = await analyzeFeatures(features, ctx());
    const g = toGraphology(analyzed.length, buildPhaseGraph(analyzed, baseFacts(), L).edges);
    expect(g.order).toBe(3);
    expect(g.edges().map((e) => `${g.source(e)}->${g.target(e)}`).sort()).toEqual(["0->1", "0->2"]);
  });
});

describe("remove", () => {
  it("needs the path itself: a dangling symlink in the parent can be removed, a missing path cannot", async () => {
    const parent = baseFacts({ paths: [{ path: "/etc/dangling", type: "symlink", target: "/nowhere" }] });
    await plan([{ type: "remove", path: "/etc/dangling" }], parent);
    const e = await errorsOf([{ type: "remove", path: "/etc/absent" }], parent);
    expect(e.details[0]!.message).toBe('requires "/etc/absent" but nothing provides it');
  });
});

describe("conflict messages", () => {
  it("tell apart two features that describe the same way, and say when they differ only in content", async () => {
    const e = await errorsOf([
      { type: "install_text", text: "a", dst: "/etc/x" },
      { type: "install_text", text: "b", dst: "/etc/x" },
      { type: "ensure_dirs_exist", dirs: "/d", mode: 0o700 },
      { type: "ensure_dirs_exist", dirs: "/d", mode: 0o755 },
    ]);
    const same = e.details.find((d) => d.message.startsWith("/etc/x"))!;
    expect(same.found).toBe("2 features each providing file 0o444 owned by root:root");
    expect(same.notes).toEqual([
      'install_text(dst="/etc/x") (feature #0 of the phase) provides file 0o444 owned by root:root',
      'install_text(dst="/etc/x") (feature #1 of the phase) provides file 0o444 owned by root:root',
    ]);
    const differ = e.details.find((d) => d.message.startsWith("/d"))!;
    expect(differ.message).toBe("/d is provided by 2 features in different ways");
    expect(differ.found).toBe("2 different providers");
  });
});
