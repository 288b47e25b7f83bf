// The shapes the graph's steps pass each other (graph.ts runs the steps, requirements.ts is one of them): their own
// module, so that neither step file imports the other's types.
import type { ErrorDetail } from "../errors.js";
import type { Analysis, FeatureModule } from "../features/types.js";
import type { FeatureBase } from "../types.js";

export interface AnalyzedFeature {
  feature: FeatureBase;
  module: FeatureModule;
  analysis: Analysis;
}

/** Ordering edges (provider → requirer) as parallel arrays of feature indices, without duplicates. */
export interface EdgeList {
  from: number[];
  to: number[];
}

export interface BuiltGraph {
  edges: EdgeList;
  errors: ErrorDetail[];
}

/** Names features in messages, by their index in the phase. */
export type Namer = (i: number) => string;

/** Where a feature was declared (`path/BUCK:line:col`), by its index in the phase; undefined when unknown. */
export type Placer = (i: number) => string | undefined;
