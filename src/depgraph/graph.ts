// Builds the phase's dependency graph from the features' analyses and the parent's facts, and collects every
// problem at once: conflicting providers (in the phase and against the parent), requirements never provided,
// validator failures (against phase items and parent facts alike), after resolving paths through symlinks.
// buildPhaseGraph is the pipeline; each step is a function below (requirements in requirements.ts, the
// shapes they pass each other in model.ts).
import type { ErrorDetail } from "../errors.js";
import type { FactsView } from "../types.js";
import { normalizeImagePath } from "../image/path.js";
import { harmlessDuplicate, keyOf, keyText, sameItem, type Provider } from "./items.js";
import type { AnalyzedFeature, BuiltGraph, Namer, Placer } from "./model.js";
import { wireRequirements } from "./requirements.js";
import { GraphResolver, type PhaseSymlink } from "./resolver.js";
import { factText, itemText, starlarkCall } from "./text.js";
import { siteOf } from "../features/site.js";

/** How messages name a feature: its description, plus its label when it comes from another target. */
export function featureName(f: AnalyzedFeature, layerLabel: string): string {
  const d = f.module.describe(f.feature);
  return f.feature.label === layerLabel ? d : `${d} [${f.feature.label}]`;
}

const nowhere: Placer = () => undefined;

/** A feature's name with its place, for the notes that list several features. */
export function placedName(name: Namer, at: Placer, i: number): string {
  const where = at(i);
  return where === undefined ? name(i) : `${name(i)} at ${where}`;
}

/**
 * Validates one phase's features against each other and the parent, and orders them: a pipeline of named steps,
 * each returning data. Errors come in the order of the steps: placement, conflicts in the phase, clashes with the
 * parent, requirements.
 */
export function buildPhaseGraph(features: AnalyzedFeature[], parent: FactsView, layerLabel: string): BuiltGraph {
  const name: Namer = (i) => featureName(features[i]!, layerLabel);
  const at: Placer = (i) => siteOf(features[i]!.feature);
  const resolver = phaseResolver(features, parent);
  const placed = placeProviders(features, resolver, layerLabel, name, at);
  const conflicts = conflictErrors(placed.conflicting, layerLabel, name, at);
  const clashes = parentClashes(placed.providers, parent, layerLabel, name, at);
  const wired = wireRequirements(features, placed.providers, resolver, parent, layerLabel, name, at);
  return { edges: wired.edges, errors: [...placed.errors, ...conflicts, ...clashes, ...wired.errors] };
}

/** Step 1: a resolver that knows the phase's symlinks, keyed by their canonical path, over the parent's tree. */
export function phaseResolver(features: AnalyzedFeature[], parent: FactsView): GraphResolver {
  const declared = new Map<string, PhaseSymlink>();
  features.forEach((f, i) => {
    for (const it of f.analysis.provides) if (it.kind === "symlink") declared.set(normalizeImagePath(it.path), { target: it.target, provider: i });
  });
  const first = new GraphResolver(declared, parent);
  const canonical = new Map<string, PhaseSymlink>();
  for (const [p, l] of declared) {
    const r = first.resolveParent(p);
    canonical.set(r.ok ? r.path : p, l);
  }
  return new GraphResolver(canonical, parent);
}

export interface PlacedProviders {
  /** the first provider of each canonical key */
  providers: Map<string, Provider>;
  /** every provider of the keys whose providers differ */
  conflicting: Map<string, Provider[]>;
  /** items that could not be placed (their path does not resolve) */
  errors: ErrorDetail[];
}

/**
 * Step 2: providers by canonical key. Directories and mount points follow a final symlink (mkdir -p does too).
 * Identical providers of one key (the same directory from many ensure_dirs_exist) are counted, not kept.
 */
export function placeProviders(features: AnalyzedFeature[], resolver: GraphResolver, layerLabel: string, name: Namer, at: Placer = nowhere): PlacedProviders {
  const providers = new Map<string, Provider>();
  const conflicting = new Map<string, Provider[]>();
  const errors: ErrorDetail[] = [];
  features.forEach((f, i) => {
    for (const raw of f.analysis.provides) {
      let item = raw;
      if (raw.kind !== "user" && raw.kind !== "group") {
        const followLast = raw.kind === "path" && raw.fileType === "directory";
        const r = resolver.resolve(normalizeImagePath(raw.path), followLast);
        if (!r.ok) {
          errors.push({ kind: "unsatisfied", at: at(i), label: layerLabel, feature: name(i), message: `cannot place "${raw.path}": ${r.reason}` });
          continue;
        }
        if (r.path !== raw.path) item = { ...raw, path: r.path };
      }
      const key = keyOf(item);
      const first = providers.get(key);
      if (first === undefined) providers.set(key, { feature: i, item });
      else if (!harmlessDuplicate(first.item, item) && !(first.feature === i && sameItem(first.item, item))) {
        const list = conflicting.get(key);
        if (list === undefined) conflicting.set(key, [first, { feature: i, item }]);
        else if (!list.some((p) => p.feature === i && sameItem(p.item, item))) list.push({ feature: i, item });
      }
    }
  });
  return { providers, conflicting, errors };
}

/** Step 3: one error per key that features of the phase provide in different ways (or each on its own). */
export function conflictErrors(conflicting: Map<string, Provider[]>, layerLabel: string, name: Namer, at: Placer = nowhere): ErrorDetail[] {
  const errors: ErrorDetail[] = [];
  for (const [key, list] of conflicting) {
    const count = new Set(list.map((p) => p.feature)).size;
    // Equal items from features that differ otherwise (e.g. two install_text with other texts) still collide.
    const sameItems = list.every((p) => sameItem(p.item, list[0]!.item));
    errors.push({
      kind: "conflict",
      // at the provider that came second, as a compiler reports a redefinition; the notes place every provider
      at: at(list[1]!.feature) ?? at(list[0]!.feature),
      label: layerLabel,
      message: sameItems
        ? `${keyText(key)} is written by ${count} different features`
        : `${keyText(key)} is provided by ${count} features in different ways`,
      expected: "one provider, or identical directories",
      found: sameItems ? `${count} features each providing ${itemText(list[0]!.item)}` : `${list.length} different providers`,
      notes: list.map((p) => {
        // two features that read the same (install_text of one dst with other texts) are told apart by position
        const twin = list.some((q) => q.feature !== p.feature && name(q.feature) === name(p.feature));
        return `${name(p.feature)}${twin ? ` (feature #${p.feature} of the phase)` : ""} provides ${itemText(p.item)}${at(p.feature) !== undefined ? ` at ${at(p.feature)}` : ""}`;
      }),
      fix: `keep one of these features in the layer${list.every((p) => p.item.kind === "path" && p.item.fileType === "directory") ? " (or give the directories the same mode, owner and xattrs)" : ""}`,
    });
  }
  return errors;
}

/** Step 4: items the phase provides that the parent layer already has (and the image root, which stays a directory). */
export function parentClashes(providers: Map<string, Provider>, parent: FactsView, layerLabel: string, name: Namer, at: Placer = nowhere): ErrorDetail[] {
  const errors: ErrorDetail[] = [];
  for (const [key, first] of providers) {
    const clash = checkAgainstParent(key, first, parent, layerLabel, name);
    if (clash !== undefined) errors.push({ at: at(first.feature), ...clash });
  }
  return errors;
}

function checkAgainstParent(key: string, first: Provider, parent: FactsView, layerLabel: string, name: Namer): ErrorDetail | undefined {
  const item = first.item;
  const kind = key.startsWith("/") ? "path" : key.slice(0, key.indexOf(":"));
  const what = keyText(key);
  if (kind === "path") {
    const fact = parent.path(what);
    if (what === "/" && fact === undefined) {
      if (item.kind === "path" && item.fileType === "directory") return undefined;
      return { kind: "conflict", label: layerLabel, feature: name(first.feature), message: `cannot replace the image root`, expected: "a directory", found: itemText(item) };
    }
    if (fact === undefined) return undefined;
    // a directory may be re-provided, but not with other xattrs than the parent gave it (none asked for: left as they are)
    const otherXattrs = item.kind === "path" && item.xattrs !== undefined && item.xattrs !== (fact.xattrs ?? "");
    if (fact.type === "directory" && ((item.kind === "path" && item.fileType === "directory" && !otherXattrs) || item.kind === "mount")) return undefined;
    if (fact.type === "symlink" && item.kind === "symlink" && fact.target === item.target) return undefined;
    return {
      kind: "conflict",
      label: layerLabel,
      feature: name(first.feature),
      message: `"${what}" already exists in the parent layer`,
      expected: otherXattrs && fact.type === "directory" ? `the directory's xattrs as the parent has them (${fact.xattrs ?? "none"})` : `a path not yet in the image (only a directory may be re-provided as a directory)`,
      found: `parent has ${factText(fact)}; this feature provides ${itemText(item)}`,
      fix: `${starlarkCall("remove", { path: what })} in the same layer (removals run before the features that write), or leave this feature out`,
    };
  }
  const exists = kind === "user" ? parent.user(what) !== undefined || what === "root" : parent.group(what) !== undefined || what === "root";
  if (!exists || item.reAdd) return undefined;
  return {
    kind: "conflict",
    label: layerLabel,
    feature: name(first.feature),
    message: `${kind} "${what}" already exists in the parent layer`,
    expected: `a new ${kind} name`,
    found: `${kind} "${what}" in the parent's facts`,
    fix:
      kind === "user"
        ? `another username, or ${starlarkCall("usermod", { username: what, add_supplementary_groups: ["..."] })} to change the parent's user`
        : `another groupname, or leave this feature out: the parent's group "${what}" is there already`,
  };
}
