// The examples and the rules' fixtures under real Buck2 and under the local driver: the same layers (tree by tree),
// the same sub-target outputs, the same `error:` lines; `buck2 test`, `buck2 run`, and the README's Buck2 commands.
// Built once in beforeAll; every test compares what is already built.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, expect, it } from "vitest";
import { CHAIN_FILES, CHAIN_LAYERS, ERROR_CASES, ERROR_FILES } from "./fixtures.js";
import { describeBuck2, errorLines, findBuck2, normalizeOutputPaths, repoRoot, trees, useTwin, type Outputs } from "./harness.js";

const EXAMPLE_LAYERS = [
  "//base:shell",
  "//examples:base",
  "//examples:app",
  "//examples:debug",
  "//examples:app_without_motd",
  "//examples:base_snapshot",
  "//examples/genrule:_setup_foo",
  "//examples/genrule:_translate_foo",
  "//examples/genrule:foo",
  "//examples/xattrs:tagged",
];
const LAYERS = [...EXAMPLE_LAYERS, ...CHAIN_LAYERS];

// sub-targets whose outputs are files: the same bytes under both
const SUB_TARGETS = [
  ...LAYERS.flatMap((l) => [`${l}[facts]`, `${l}[features]`]),
  "//examples:app[debug][compile][depgraph]",
  "//examples:app[debug][compile][features]",
  "//examples:app[debug][compile][facts]",
  "//examples:app_without_motd[debug][remove][depgraph]",
  "//examples/genrule:_translate_foo[debug][genrule][features]",
  "//fx/chain:child[debug][remove][features]",
  "//fx/chain:child[debug][compile][depgraph]",
  "//examples:operators",
];

/** The `README.md` section "With Buck2 installed": its `buck2 ...` command lines, comments dropped, as argv. */
function readmeBuck2Commands(): string[][] {
  const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
  const section = /^## With Buck2 installed\n([\s\S]*?)(?=^## )/m.exec(readme)?.[1];
  if (section === undefined) throw new Error('README.md has no "## With Buck2 installed" section');
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
  return block
    .split("\n")
    .map((l) => l.replace(/\s+#.*$/, "").trim())
    .filter((l) => l.startsWith("buck2 "))
    .map((l) => [...l.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!).slice(1));
}

describeBuck2("real Buck2 and the local driver build the same images", () => {
  const twin = useTwin({ ...CHAIN_FILES, ...ERROR_FILES });
  let out: { buck2: Outputs; local: Outputs };
  const layerTrees = new Map<string, { buck2: string[]; local: string[] }>();

  beforeAll(async () => {
    // patterns first, then the targets by name: in one command Buck2 drops the sub-targets of a target that a
    // package pattern also matches (it prints no `//examples:app[facts]` beside `//examples/...`)
    await twin().build(["//examples/...", "//base:shell", "//fx/chain:"]);
    out = await twin().build([...LAYERS, ...SUB_TARGETS]);
    const [b, l] = [trees(LAYERS.map((t) => out.buck2.of(t))), trees(LAYERS.map((t) => out.local.of(t)))];
    LAYERS.forEach((t, i) => layerTrees.set(t, { buck2: b[i]!, local: l[i]! }));
    // every example twice (Buck2 and the local driver), the Debian chains among them, on a machine shared with
    // the other suites
  }, 900_000);

  it("finds Buck2 through STRATA_BUCK2 or PATH, and it answers", async () => {
    const { bin } = findBuck2();
    expect(bin).not.toBeNull();
    const r = await twin().buck2.run(["--version"]);
    expect(r.exitCode).toBe(0);
    expect(String(r.stdout)).toMatch(/^buck2 /);
  });

  it.each(LAYERS)("%s is the same tree: contents, modes, owners, mtimes, xattrs, link targets", (layer) => {
    const { buck2, local } = layerTrees.get(layer)!;
    expect(buck2.length).toBeGreaterThan(layer.endsWith(":empty") ? 0 : 1);
    expect(local).toEqual(buck2);
  });

  it("the layers really differ from each other (the comparison sees content)", () => {
    const app = layerTrees.get("//examples:app")!.buck2;
    expect(layerTrees.get("//examples:debug")!.buck2).not.toEqual(app);
    expect(app.some((l) => l.startsWith("/etc/app/app.conf f 0o440 1500:1500 "))).toBe(true);
    expect(layerTrees.get("//fx/chain:generated")!.buck2.find((l) => l.startsWith("/srv/data/accounts.txt "))).toMatch(/ f 0o604 0:0 /);
    expect(layerTrees.get("//fx/chain:empty")!.buck2).toEqual([expect.stringMatching(/^\/ d 0o755 0:0 /)]);
  });

  it("each feature carries its call site, the same under both (a macro whose file starts with a def included)", () => {
    const features = JSON.parse(readFileSync(out.local.of("//fx/chain:parent[features]"), "utf8")) as Array<{ dst?: string; loc?: string }>;
    expect(features.find((f) => f.dst === "/etc/chain-motd")?.loc).toBe("fx/chain/macros.bzl:2");
    expect(features.find((f) => f.dst === "/etc/greeting")?.loc).toBe("fx/chain/BUCK:21");
    const same = (t: string): string => normalizeOutputPaths(readFileSync(t, "utf8"));
    expect(same(out.buck2.of("//fx/chain:parent[features]"))).toBe(same(out.local.of("//fx/chain:parent[features]")));
  });

  it.each(SUB_TARGETS)("%s has the same bytes", (target) => {
    const b = normalizeOutputPaths(readFileSync(out.buck2.of(target), "utf8"));
    expect(b.length).toBeGreaterThan(1);
    expect(normalizeOutputPaths(readFileSync(out.local.of(target), "utf8"))).toBe(b);
  });

  it("buck2 test //examples/test: passes", async () => {
    const r = await twin().buck2.run(["test", "//examples/test:"]);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stderr)).toMatch(/Pass\S* 2\b/);
  });

  it("buck2 run '<layer>[container]' runs a command inside the layer", async () => {
    const r = await twin().buck2.run(["run", "//base:shell[container]", "--", "/bin/sh", "-c", "echo inside; cat /etc/group"]);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(String(r.stdout)).toBe("inside\nroot:x:0:\nnogroup:x:65534:");
  });

  it("the README's Buck2 commands work as written", async () => {
    const commands = readmeBuck2Commands();
    expect(commands.map((c) => c[0])).toEqual(expect.arrayContaining(["build", "test", "run"]));
    for (const args of commands) {
      // `buck2 run` starts an interactive shell: give it a script on stdin
      const r = await twin().buck2.run(args, { input: args[0] === "run" ? "echo readme-shell-ok\nexit 0\n" : "" });
      expect(r.exitCode, `buck2 ${args.join(" ")}:\n${String(r.stderr)}`).toBe(0);
      if (args[0] === "run") expect(String(r.stdout)).toContain("readme-shell-ok");
      if (args.includes("--show-output")) expect(String(r.stdout)).toMatch(/^root\/\/\S+ buck-out\/v2\/\S+$/m);
    }
  });

  it.each(ERROR_CASES)("error case $name: both fail with the same error lines", async (c) => {
    const target = `//fx/err/${c.name}:x`;
    const [b, l] = await Promise.all([twin().buck2.run(["build", target]), twin().local.run(["build", target])]);
    const [bs, ls] = [String(b.stderr), String(l.stderr)];
    expect(b.exitCode, bs).not.toBe(0);
    expect(l.exitCode, ls).not.toBe(0);
    for (const m of c.mentions) {
      expect(bs).toContain(m);
      expect(ls).toContain(m);
    }
    const [be, le] = [errorLines(bs), errorLines(ls)];
    expect(le.length).toBeGreaterThan(0);
    expect(le[0]).toMatch(/^error: root\/\/fx\/err\//); // the driver's first line names the target or package
    if (c.kind === "same") {
      expect(be.length).toBeGreaterThan(0);
      // every message Buck2 gives, the driver gives too, once, behind the target it belongs to
      const message = (y: string): string => y.replace(/^error: (fail: )?/, "");
      for (const y of be) expect(le.some((x) => x === y || x.endsWith(message(y))), `driver lines ${JSON.stringify(le)} lack ${y}`).toBe(true);
      // and nothing more than those messages
      for (const x of le) expect(be.some((y) => x === y || x.endsWith(message(y))), `driver line ${x} is not one of Buck2's`).toBe(true);
    }
    if (c.at !== undefined) {
      // an editor can open Buck2's location: the BUCK file's project-relative path and line
      const at = new RegExp(`(^|\\s)${c.at.replace(/[/.]/g, "\\$&")}[:,]`, "m");
      expect(bs).toMatch(at);
      expect(ls).toMatch(at); // the driver names files as Buck2 does (not `root//fx/...`)
    }
    if (c.fix !== undefined) {
      expect(bs).toContain(`  fix:      ${c.fix}`);
      expect(ls).toContain(`  fix:      ${c.fix}`);
    }
    // the failed action's command line only with --verbose: under the driver none, under Buck2 its own one line
    expect(ls).not.toMatch(/^\s*command: \[/m);
  });

  /** `buck2 bxl //bxl/strata.bxl:<fn> -- <args>`: the JSON answer it points to, or the failure */
  async function bxl(fn: string, args: string[]): Promise<{ exitCode: number; stderr: string; answer: any }> {
    const r = await twin().buck2.run(["bxl", `//bxl/strata.bxl:${fn}`, "--", ...args]);
    const path = String(r.stdout).trim();
    return { exitCode: r.exitCode ?? -1, stderr: String(r.stderr), answer: r.exitCode === 0 ? JSON.parse(readFileSync(path, "utf8")) : null };
  }

  it("bxl who_put: the layer of the chain and the feature that put a path there", async () => {
    const motd = await bxl("who_put", ["--layer", "//examples:app", "--path", "/etc/motd"]);
    expect(motd.exitCode, motd.stderr).toBe(0);
    expect(motd.answer).toMatchObject({
      layer: "root//examples:app",
      path: "/etc/motd",
      put_by_layer: "root//examples:app",
      feature_label: "root//examples:operators", // a feature.new group listed by :app
      feature_type: "install",
      features: [{ type: "install", dst: "/etc/motd", src: "examples/files/motd" }],
      entry: { type: "file", mode: 0o444, uid: 0, gid: 0 },
      chain: ["root//examples:app", "root//examples:base"],
    });
    const inherited = await bxl("who_put", ["--layer", "//examples:app", "--path", "/etc/hostname/"]);
    expect(inherited.answer).toMatchObject({ path: "/etc/hostname", put_by_layer: "root//examples:base", feature_type: "install_text", features: [{ dst: "/etc/hostname" }] });
    const unpacked = await bxl("who_put", ["--layer", "//examples:app", "--path", "/opt/vendor/bin/hello"]);
    expect(unpacked.answer).toMatchObject({ put_by_layer: "root//examples:app", feature_type: "tarball", features: [{ into_dir: "/opt" }] });
    const generated = await bxl("who_put", ["--layer", "//examples/genrule:foo", "--path", "/output/FOO"]);
    expect(generated.answer).toMatchObject({ put_by_layer: "root//examples/genrule:_translate_foo", feature_type: "genrule" });
    expect(generated.answer.chain).toEqual(["root//examples/genrule:foo", "root//examples/genrule:_translate_foo", "root//examples/genrule:_setup_foo", "root//base:shell"]);
  });

  it("bxl who_put: a path the layer does not hold, and a target that is not a layer, are errors", async () => {
    const missing = await bxl("who_put", ["--layer", "//examples:app_without_motd", "--path", "/etc/motd"]);
    expect(missing.exitCode).not.toBe(0);
    expect(missing.stderr).toContain("root//examples:app_without_motd: no path /etc/motd in the layer");
    const notLayer = await bxl("who_put", ["--layer", "//examples:operators", "--path", "/etc/motd"]);
    expect(notLayer.exitCode).not.toBe(0);
    expect(notLayer.stderr).toContain("root//examples:operators is not an image.layer");
  });

  it("bxl diff: what a layer changes against its parent, in agreement with the built trees", async () => {
    const removal = await bxl("diff", ["--layer", "//examples:app_without_motd"]);
    expect(removal.exitCode, removal.stderr).toBe(0);
    expect(removal.answer).toMatchObject({ layer: "root//examples:app_without_motd", parent: "root//examples:app", summary: "0 added, 1 removed, 0 changed" });
    expect(removal.answer.paths.removed).toEqual(["/etc/motd"]);

    const child = (await bxl("diff", ["--layer", "//fx/chain:child"])).answer;
    expect(child.parent).toBe("root//fx/chain:parent");
    expect(child.paths.removed).toEqual(["/etc/old"]);
    // removed, then written again by a later phase: a changed entry, now from the compile phase's install_text
    expect(child.paths.changed.map((c: { path: string }) => c.path)).toContain("/etc/greeting");
    expect(child.groups.changed.map((g: { name: string }) => g.name)).toEqual(["nogroup"]); // usermod svc +nogroup
    // the paths it says were added are those of the child's tree that the parent's tree lacks
    const pathsOf = (t: string): Set<string> => new Set(layerTrees.get(t)!.buck2.map((l) => l.split(" ")[0]!));
    const [parentPaths, childPaths] = [pathsOf("//fx/chain:parent"), pathsOf("//fx/chain:child")];
    const added = child.paths.added.map((e: { path: string }) => e.path).sort();
    expect(added).toEqual([...childPaths].filter((p) => !parentPaths.has(p)).sort());
    expect(added).toContain("/srv/vendor/bin/hello");
    expect(child.paths.removed).toEqual([...parentPaths].filter((p) => !childPaths.has(p)));

    const root = (await bxl("diff", ["--layer", "//base:shell"])).answer;
    expect(root.parent).toBeNull();
    expect(root.paths.added.length).toBe(layerTrees.get("//base:shell")!.buck2.length);
  });
});
