// The local Buck2 stand-in is a package of its own (packages/buck2-local, issue 10 item 1): it imports nothing from
// the runner, the runner reaches it only through the `strata local` delegate (src/driver/), and the toolchain's
// hidden inputs are the runner's own bundle, so editing the driver changes no input of a layer action.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { evaluateTargets } from "../../packages/buck2-local/src/index.js";
import { repoRoot } from "../runner/helpers.js";

const DRIVER = "packages/buck2-local";
const DELEGATE = "src/driver/";

function files(dir: string, ext: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p, ext));
    else if (name.endsWith(ext)) out.push(p);
  }
  return out;
}

/** `file:specifier` -> the repository-relative path of every relative import of a TypeScript file */
function relativeImports(file: string): { spec: string; target: string }[] {
  const src = readFileSync(file, "utf8");
  const specs = [...src.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)].map((m) => m[1]!);
  return specs.map((spec) => ({ spec, target: relative(repoRoot, resolve(dirname(file), spec)) }));
}

describe("the driver package's boundaries", () => {
  it("the driver's TypeScript imports nothing outside its package", () => {
    const outside: string[] = [];
    for (const file of files(join(repoRoot, DRIVER, "src"), ".ts")) {
      for (const { spec, target } of relativeImports(file)) {
        if (!target.startsWith(DRIVER + "/")) outside.push(`${relative(repoRoot, file)}: ${spec}`);
      }
    }
    expect(outside).toEqual([]);
  });

  it("the driver's Python imports only its own modules and the standard library, and names no runner path", () => {
    const offending: string[] = [];
    for (const file of files(join(repoRoot, DRIVER, "starlark"), ".py")) {
      const src = readFileSync(file, "utf8");
      for (const m of src.matchAll(/^\s*(?:from|import)\s+([A-Za-z_][\w.]*)/gm)) {
        const mod = m[1]!.split(".")[0]!;
        if (mod !== "pydriver" && mod !== "starlark" && !["json", "os", "sys", "re", "traceback", "dataclasses", "difflib", "platform", "typing", "hashlib", "fnmatch", "configparser", "functools", "itertools", "collections", "glob", "argparse", "__future__", "ast", "io", "pathlib", "shlex", "string", "tokenize", "keyword", "copy", "enum", "textwrap", "stat", "time"].includes(mod)) {
          offending.push(`${relative(repoRoot, file)}: ${m[0].trim()}`);
        }
      }
      if (/src\/(storage|features|facts|depgraph|isolation)|btrfs|subvolume/.test(src)) offending.push(`${relative(repoRoot, file)}: names the runner's layers or btrfs`);
    }
    expect(offending).toEqual([]);
  });

  it("the runner imports the driver only in the `strata local` delegate (src/driver/)", () => {
    const found: string[] = [];
    for (const file of [...files(join(repoRoot, "src"), ".ts"), ...files(join(repoRoot, "runner"), ".ts")]) {
      const rel = relative(repoRoot, file);
      for (const { spec, target } of relativeImports(file)) {
        if (target.startsWith(DRIVER + "/") && !rel.startsWith(DELEGATE)) found.push(`${rel}: ${spec}`);
      }
    }
    expect(found).toEqual([]);
    // and the delegate goes through the package's entry point, not its insides
    const delegateImports = files(join(repoRoot, DELEGATE), ".ts").flatMap((f) => relativeImports(f).map((i) => i.target));
    expect(delegateImports.filter((t) => t.startsWith(DRIVER + "/")).every((t) => t === `${DRIVER}/src/index.js`)).toBe(true);
  });
});

describe("the toolchain's hidden inputs", () => {
  it("are the runner's bundle: no file of the driver, its tsc output or the benchmarks", async () => {
    const evaluation = await evaluateTargets(repoRoot, ["//base:shell"]);
    const runnerActions = evaluation.actions.filter((a) => a.argv?.includes("bin/strata.mjs"));
    expect(runnerActions.length).toBeGreaterThan(0);
    const bundle = readdirSync(join(repoRoot, "dist", "bundle")).filter((n) => n.endsWith(".js")).map((n) => `dist/bundle/${n}`).sort();
    expect(bundle).toContain("dist/bundle/main.js");
    for (const a of runnerActions) {
      const sources = a.inputs.filter((i) => i.producer === null).map((i) => i.path);
      expect(sources.filter((p) => p.startsWith("dist/")).sort()).toEqual(bundle);
      expect(sources.filter((p) => p.startsWith(DRIVER) || p.startsWith("dist/buck2-local") || p.startsWith("bench/"))).toEqual([]);
    }
  });

  it("the runner's bundle holds none of the driver's code: it imports the driver's own bundle", () => {
    // main.js and the chunks it loads (older chunks stay a while for processes still running them)
    const seen = new Set<string>();
    const visit = (name: string) => {
      if (seen.has(name)) return;
      seen.add(name);
      const t = readFileSync(join(repoRoot, "dist", "bundle", name), "utf8");
      for (const m of t.matchAll(/["']\.\/([\w-]+\.js)["']/g)) visit(m[1]!);
    };
    visit("main.js");
    expect(seen.size).toBeGreaterThan(1);
    const text = [...seen].map((n) => readFileSync(join(repoRoot, "dist", "bundle", n), "utf8"));
    // the evaluator's location and the executor's stripped environment are the driver's own
    expect(text.filter((t) => t.includes('"evaluate.py"') || t.includes("PYTHONSTARTUP"))).toEqual([]);
    expect(text.some((t) => t.includes('"../buck2-local/index.js"'))).toBe(true);
    expect(readFileSync(join(repoRoot, "dist", "buck2-local", "index.js"), "utf8")).toContain('"evaluate.py"');
  });
});
