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

it("src/storage imports only itself, src/errors.ts and packages (not the facts format)", () => {
  const upward = importsOf("src/storage").filter(([, m]) => m.startsWith("..") && m !== "../errors.js");
  expect(upward).toEqual([]);
});

it("src/depgraph does not import the storage or the runner's commands", () => {
  const bad = importsOf("src/depgraph").filter(([, m]) => /\.\.\/(storage|cli|compile)/.test(m));
  expect(bad).toEqual([]);
});
