// Contexts for feature tests: a plain temp directory as the image root, touched/removed recorded.
import { lstatSync, mkdirSync, writeFileSync } from "node:fs";
import { featureModule, parseFeatures } from "../../src/features/registry.js";
import { join } from "node:path";
import { emptyFacts } from "../../src/depgraph/empty-facts.js";
import type { AnalyzeContext, CompileContext } from "../../src/features/types.js";
import type { FactsView, FeatureBase } from "../../src/types.js";

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

export const L = "//test:feat";

/** Parses the features (label L) and compiles them in order into `root`. */
export async function apply(root: string, project: string, raw: object[], opts: Parameters<typeof compileCtx>[2] = {}) {
  const ctx = compileCtx(root, project, opts);
  for (const f of parseFeatures(raw.map((r) => ({ label: L, ...r })), L)) await featureModule(f.type)!.compile(f, ctx);
  return ctx;
}

/** Parses one feature (label L) and analyzes it. */
export async function analysis(raw: object, project = "/nonexistent", layers: Record<string, FactsView> = {}) {
  const [f] = parseFeatures([{ label: L, ...raw }], L) as [FeatureBase];
  return featureModule(f.type)!.analyze(f, analyzeCtx(project, undefined, layers));
}

export const mode = (p: string) => lstatSync(p).mode & 0o7777;
