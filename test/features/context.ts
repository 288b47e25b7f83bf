// Contexts for feature tests: a plain temp directory as the image root, touched/removed recorded.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { emptyFacts } from "../../src/depgraph/empty-facts.js";
import type { AnalyzeContext, CompileContext } from "../../src/features/types.js";
import type { FactsView } from "../../src/types.js";

export interface Recorded extends CompileContext {
  touchedPaths: string[];
  removedPaths: string[];
}

export function compileCtx(root: string, projectRoot: string, opts: { epoch?: number; layers?: Record<string, FactsView> } = {}): Recorded {
  const touchedPaths: string[] = [];
  const removedPaths: string[] = [];
  return {
    label: "//test:layer",
    projectRoot,
    root,
    epoch: opts.epoch ?? 0,
    parent: emptyFacts,
    layerFacts: (p) => opts.layers?.[p] ?? emptyFacts,
    touched: (p) => void touchedPaths.push(p),
    removed: (p) => void removedPaths.push(p),
    touchedPaths,
    removedPaths,
  };
}

export function analyzeCtx(projectRoot: string, parent: FactsView = emptyFacts, layers: Record<string, FactsView> = {}): AnalyzeContext {
  return { label: "//test:layer", projectRoot, parent, layerFacts: (p) => layers[p] ?? emptyFacts };
}

/** A minimal image: /etc/passwd and /etc/group with root, /bin/sh. */
export function seedImage(root: string): void {
  mkdirSync(join(root, "etc"), { recursive: true });
  writeFileSync(join(root, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
  writeFileSync(join(root, "etc/group"), "root:x:0:\n");
}
