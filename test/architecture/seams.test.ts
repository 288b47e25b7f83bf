// The seams between the runner's parts: which modules may import which. A new upward import fails here.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { repoRoot } from "../rules/project.js";

function importsOf(dir: string): [string, string][] {
  const out: [string, string][] = [];
  for (const f of readdirSync(join(repoRoot, dir)).filter((f) => f.endsWith(".ts"))) {
    for (const m of readFileSync(join(repoRoot, dir, f), "utf8").matchAll(/(?:^|\n)\s*(?:import|export)[^"'\n]*?from\s+["']([^"']+)["']/g)) out.push([`${dir}/${f}`, m[1]!]);
    for (const m of readFileSync(join(repoRoot, dir, f), "utf8").matchAll(/import\(\s*["']([^"']+)["']\s*\)/g)) out.push([`${dir}/${f}`, m[1]!]);
  }
  return out;
}

// request-context.ts is a leaf (the worker's per-request env/cwd/stderr), not a format of another layer
it("src/storage imports only itself, src/errors.ts, the request context and packages (not the facts format)", () => {
  const upward = importsOf("src/storage").filter(([, m]) => m.startsWith("..") && m !== "../errors.js" && m !== "../request-context.js");
  expect(upward).toEqual([]);
});

it("src/depgraph does not import the storage or the runner's commands", () => {
  const bad = importsOf("src/depgraph").filter(([, m]) => /\.\.\/(storage|cli|compile)/.test(m));
  expect(bad).toEqual([]);
});

it("buildPhaseGraph stays a short pipeline of named steps", () => {
  const src = readFileSync(join(repoRoot, "src/depgraph/graph.ts"), "utf8");
  const body = /export function buildPhaseGraph\([^)]*\)[^{]*\{\n([\s\S]*?)\n\}\n/.exec(src)?.[1];
  expect(body, "buildPhaseGraph not found in src/depgraph/graph.ts").toBeDefined();
  const lines = body!.split("\n").filter((l) => l.trim() !== "");
  expect(lines.length).toBeLessThanOrEqual(10);
  // no loops or branches of its own: the work is in the steps
  expect(body).not.toMatch(/\b(for|while|if)\b|forEach/);
});

it("every error the dependency graph reports carries a kind", () => {
  for (const f of readdirSync(join(repoRoot, "src/depgraph")).filter((f) => f.endsWith(".ts"))) {
    const text = readFileSync(join(repoRoot, "src/depgraph", f), "utf8");
    const messages = [...text.matchAll(/\bmessage:/g)].length;
    const kinds = [...text.matchAll(/\bkind: "(schema|conflict|missing|unsatisfied|cycle|parent|io)"/g)].length;
    expect(kinds, `src/depgraph/${f}: ${messages} error literals, ${kinds} with a kind`).toBe(messages);
  }
});

// the one table of commands (src/commands.ts) sits above every command's module: the CLI and the worker read it,
// nothing it loads imports it back, and the worker's and driver's code gets the worker's commands passed in
it("src/worker and src/driver import neither the commands nor the command table", () => {
  const bad = [...importsOf("src/worker"), ...importsOf("src/driver")].filter(([, m]) => /\.\.\/(cli\/|commands\.js)/.test(m));
  expect(bad).toEqual([]);
});

it("no command module imports the command table", () => {
  const modules = ["src/cli", "src/driver", "src/packaging", "src/debian", "src/portable"].flatMap(importsOf);
  expect(modules.length).toBeGreaterThan(0);
  expect(modules.filter(([, m]) => /commands\.js$/.test(m))).toEqual([]);
});

// the apt features read the plan and call into src/debian; what both need (`Needed`) lives in src/debian
it("src/debian imports nothing of src/features", () => {
  const bad = importsOf("src/debian").filter(([, m]) => /\.\.\/features\//.test(m));
  expect(bad).toEqual([]);
});
