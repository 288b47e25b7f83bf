// No import circle among the runner's modules (type-only imports count: a circle of types ties the files together
// as much as one of values). A circle found here is printed file by file.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { expect, it } from "vitest";
import { repoRoot } from "../rules/project.js";
import { filesUnder } from "./files.js";

/** The relative modules a source file imports, as repository paths of .ts files. */
export function relativeImports(file: string, text: string): string[] {
  const specs = [
    ...[...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^"'`;]*?from\s+["']([^"']+)["']/g)].map((m) => m[1]!),
    ...[...text.matchAll(/(?:^|\n)\s*import\s+["']([^"']+)["']/g)].map((m) => m[1]!),
    ...[...text.matchAll(/import\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]!),
  ];
  return specs.filter((s) => s.startsWith(".")).map((s) => normalize(join(dirname(file), s)).replace(/\.js$/, ".ts"));
}

/** Every circle of the graph, each once, as the list of its files from its smallest path. */
export function circles(graph: Map<string, string[]>): string[][] {
  const found = new Map<string, string[]>();
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (f: string): void => {
    state.set(f, "open");
    stack.push(f);
    for (const g of graph.get(f) ?? []) {
      if (state.get(g) === "open") {
        const ring = stack.slice(stack.indexOf(g));
        const start = ring.indexOf([...ring].sort()[0]!);
        const canon = [...ring.slice(start), ...ring.slice(0, start)];
        found.set(canon.join(" -> "), canon);
      } else if (!state.has(g)) visit(g);
    }
    stack.pop();
    state.set(f, "done");
  };
  for (const f of [...graph.keys()].sort()) if (!state.has(f)) visit(f);
  return [...found.values()];
}

it("the runner's modules import each other without a circle", () => {
  const files = [...filesUnder("src"), ...filesUnder("runner")].filter((f) => f.endsWith(".ts"));
  expect(files).toEqual(expect.arrayContaining(["src/depgraph/graph.ts", "src/depgraph/requirements.ts", "src/depgraph/model.ts"]));
  const graph = new Map(files.map((f) => [f, relativeImports(f, readFileSync(join(repoRoot, f), "utf8")).filter((m) => existsSync(join(repoRoot, m)))]));
  expect(graph.get("src/depgraph/requirements.ts")).toContain("src/depgraph/model.ts");
  expect(circles(graph).map((c) => [...c, c[0]].join(" -> "))).toEqual([]);
});

it("the circle finder finds a type circle of two files and one of three, once each", () => {
  const text = 'import type { A } from "./b.js";\nimport { c } from "../x/c.js";\n';
  expect(relativeImports("src/y/a.ts", text)).toEqual(["src/y/b.ts", "src/x/c.ts"]);
  const graph = new Map([
    ["graph.ts", ["requirements.ts", "items.ts"]],
    ["requirements.ts", ["graph.ts"]],
    ["a.ts", ["b.ts"]],
    ["b.ts", ["c.ts"]],
    ["c.ts", ["a.ts"]],
    ["items.ts", []],
  ]);
  expect(circles(graph)).toEqual([["a.ts", "b.ts", "c.ts"], ["graph.ts", "requirements.ts"]]);
});
