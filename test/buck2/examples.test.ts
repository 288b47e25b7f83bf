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
  });

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
      expect(le).toEqual(expect.arrayContaining(be));
      // beyond Buck2's lines, the driver adds only its summary line, which repeats one of them behind the label
      const extra = le.filter((x) => !be.includes(x));
      expect(extra.length).toBeLessThanOrEqual(1);
      for (const x of extra) expect(be.some((y) => x.endsWith(y.replace(/^error: (fail: )?/, "")))).toBe(true);
    }
    if (c.at !== undefined) {
      // an editor can open Buck2's location: the BUCK file's project-relative path and line
      expect(bs).toMatch(new RegExp(`(^|\\s)${c.at.replace(/[/.]/g, "\\$&")}[:,]`, "m"));
    }
  });
});
