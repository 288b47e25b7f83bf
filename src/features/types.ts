// The contract every feature module fulfils. Adding a feature type = one module here + its Starlark twin in rules/private/features/.
import type { z } from "zod";
import type { FactsView, FeatureBase, Item, Requirement } from "../types.js";
import type { BuildPhase } from "./phases.js";

export interface AnalyzeContext {
  /** the phase's label (the layer target) */
  label: string;
  /** absolute project root: relative source paths resolve against it */
  projectRoot: string;
  /** facts of the parent layer (empty view for a layer without parent) */
  parent: FactsView;
  /** facts of another published layer, by the path of its output symlink (clone, layer_mount) */
  layerFacts(layerOut: string): FactsView;
}

export interface CompileContext {
  label: string;
  projectRoot: string;
  /** absolute path of the writable image root being built */
  root: string;
  /** SOURCE_DATE_EPOCH in seconds: every written path gets this mtime/atime */
  epoch: number;
  parent: FactsView;
  layerFacts(layerOut: string): FactsView;
  /** report a path this feature created or changed (the runner derives the child's facts from these); `origin`
   * overrides the feature as who put it there in messages (apt_install names the package) */
  touched(path: string, origin?: string): void;
  /** report a path this feature removed (with everything under it) */
  removed(path: string): void;
}

/**
 * An item with the owner it will get (`user:group` as written in the feature), so that two providers of the
 * same directory with different owners are a conflict rather than an order-dependent result; `xattrs` likewise
 * (canonical text from xattrs.ts, absent for none).
 */
export type ProvidedItem = Item & {
  owner?: string;
  xattrs?: string;
  /** a user/group the parent already has, identical to what this feature adds: accepted, changes nothing (antlir2) */
  reAdd?: boolean;
};

export interface Analysis {
  requires: Requirement[];
  provides: ProvidedItem[];
}

export interface FeatureModule<T extends FeatureBase = FeatureBase> {
  type: string;
  /** the build phase its features run in; the rules' twin (rules/private/features/<type>.bzl) names the same phase */
  phase: BuildPhase;
  /** zod schema of the features-file object, `type` and `label` included; strict (unknown keys are errors) */
  schema: z.ZodType<T>;
  /** the feature as users know it, for messages: `install(dst="/etc/app.conf")` */
  describe(feature: T): string;
  /** may be async: tarball reads its archive to learn the members */
  analyze(feature: T, ctx: AnalyzeContext): Analysis | Promise<Analysis>;
  compile(feature: T, ctx: CompileContext): Promise<void>;
  /**
   * true for features whose effects cannot be declared up front (genrule): the runner then derives the
   * phase's facts by comparing the tree with the parent's facts instead of from `touched`/`removed`.
   */
  opaque?: boolean;
}
