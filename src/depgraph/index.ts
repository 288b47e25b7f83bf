// The depgraph API for the phase orchestrator (src/compile.ts) and the `strata depgraph` command.
//
//   const plan = await planPhase(features, ctx);   // features: output of parseFeatures()
//   for (const step of plan.order) await step.module.compile(step.feature, compileCtx);
//   plan.mounts                                     // MountFact[] to record in the layer's facts
//
// planPhase drops exact duplicates (same attributes, label aside: the result would be the same), analyzes every
// feature, checks the graph and returns the features in a deterministic topological order (ties by input
// order). Any problem (analysis failures, conflicts, missing requirements, validator failures, cycles) is
// thrown as ONE StrataError listing all of them.
import { StrataError, type ErrorDetail } from "../errors.js";
import { featureModule } from "../features/registry.js";
import type { AnalyzeContext } from "../features/types.js";
import type { FeatureBase, MountFact } from "../types.js";
import { buildPhaseGraph, featureName } from "./graph.js";
import type { AnalyzedFeature } from "./model.js";
import { topoSort } from "./toposort.js";
import { siteOf } from "../features/site.js";

export type PlannedFeature = AnalyzedFeature;
export type { AnalyzedFeature } from "./model.js";
export { emptyFacts } from "./empty-facts.js";

export interface PhasePlan {
  order: PlannedFeature[];
  /** layer_mount mounts declared by this phase, in order */
  mounts: MountFact[];
}

/**
 * The feature's JSON without its label and the place of its call. Features come out of their zod schema, so keys
 * are in schema order. Both are cut out of the plain JSON text (a replacer would turn off V8's fast JSON path): an
 * unescaped `"label":"..."` can only be the key itself, since quotes inside string values are escaped.
 */
function identity(f: FeatureBase): string {
  const json = JSON.stringify(f).replace(`"label":${JSON.stringify(f.label)}`, "");
  return f.loc === undefined ? json : json.replace(`"loc":${JSON.stringify(f.loc)}`, "");
}

/** Drops features identical to an earlier one (label aside). */
export function dedupeFeatures(features: FeatureBase[]): FeatureBase[] {
  const seen = new Set<string>();
  return features.filter((f) => {
    const id = identity(f);
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

export async function analyzeFeatures(features: FeatureBase[], ctx: AnalyzeContext): Promise<{ analyzed: AnalyzedFeature[]; errors: ErrorDetail[] }> {
  const analyzed: AnalyzedFeature[] = [];
  const errors: ErrorDetail[] = [];
  for (const feature of features) {
    const module = featureModule(feature.type);
    if (module === undefined) {
      errors.push({ kind: "schema", at: siteOf(feature), label: feature.label, message: `unknown feature type "${feature.type}"` });
      continue;
    }
    try {
      const result = module.analyze(feature, ctx);
      const analysis = result instanceof Promise ? await result : result;
      analyzed.push({ feature, module, analysis });
    } catch (e) {
      if (e instanceof StrataError) errors.push(...e.locatedAt(siteOf(feature)).details);
      else errors.push({ kind: "io", at: siteOf(feature), label: ctx.label, feature: module.describe(feature), message: `analysis failed: ${(e as Error).message}` });
    }
  }
  return { analyzed, errors };
}

export function mountsOf(order: PlannedFeature[]): MountFact[] {
  const out: MountFact[] = [];
  for (const s of order) for (const i of s.analysis.provides) if (i.kind === "mount") out.push({ mountpoint: i.path, source: i.source });
  return out;
}

/** Validates and orders one phase. Throws a StrataError holding every problem found. */
export async function planPhase(features: FeatureBase[], ctx: AnalyzeContext): Promise<PhasePlan> {
  const { analyzed, errors } = await analyzeFeatures(dedupeFeatures(features), ctx);
  const { edges, errors: graphErrors } = buildPhaseGraph(analyzed, ctx.parent, ctx.label);
  errors.push(...graphErrors);
  const { order, cycles } = topoSort(edges, analyzed.length);
  for (const cycle of cycles) {
    const names = cycle.map((i) => {
      const where = siteOf(analyzed[i]!.feature);
      return `${featureName(analyzed[i]!, ctx.label)}${where !== undefined ? ` at ${where}` : ""}`;
    });
    errors.push({
      kind: "cycle",
      at: siteOf(analyzed[cycle[0]!]!.feature),
      label: ctx.label,
      message: `cycle in dependency graph (${cycle.length} feature${cycle.length > 1 ? "s" : ""}); each feature must be applied before the next:`,
      notes: [...names.map((n, k) => `${k === 0 ? "  " : "-> "}${n}`), `-> ${names[0]} (again)`],
      fix: "change one of these features so that it no longer needs what the next one makes (a symlink that points back, a directory inside a link)",
    });
  }
  if (errors.length > 0) throw new StrataError(errors);
  const planned = order.map((i) => analyzed[i]!);
  return { order: planned, mounts: mountsOf(planned) };
}
