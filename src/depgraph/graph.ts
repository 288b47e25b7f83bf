// Builds the phase's dependency graph from the features' analyses and the parent's facts, and collects every
// problem at once: conflicting providers (in the phase and against the parent), requirements never provided,
// validator failures (against phase items and parent facts alike), after resolving paths through symlinks.
import type { ErrorDetail } from "../errors.js";
import type { FactsView, FileType, Validator } from "../types.js";
import type { Analysis, FeatureModule, ProvidedItem } from "../features/types.js";
import type { FeatureBase } from "../types.js";
import { normalizeImagePath } from "../image/path.js";
import { GraphResolver, type PhaseSymlink } from "./resolver.js";
import { factText, itemText, validatorText } from "./text.js";

export interface AnalyzedFeature {
  feature: FeatureBase;
  module: FeatureModule;
  analysis: Analysis;
}

interface Provider {
  feature: number;
  item: ProvidedItem;
}

/** What sits at a required key, whoever made it. */
interface Found {
  fileType?: FileType;
  mode?: number;
  text: string;
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

/** Map key of an item: the path itself for paths (no allocation on the hot path), `user:`/`group:` + name otherwise. */
function keyOf(item: ProvidedItem): string {
  return item.kind === "user" ? `user:${item.name}` : item.kind === "group" ? `group:${item.name}` : item.path;
}

function keyText(key: string): string {
  return key.startsWith("/") ? key : key.slice(key.indexOf(":") + 1);
}

function sameItem(a: ProvidedItem, b: ProvidedItem): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case "path":
      return b.kind === "path" && a.path === b.path && a.fileType === b.fileType && a.mode === b.mode && a.owner === b.owner && (a.xattrs ?? "") === (b.xattrs ?? "");
    case "symlink":
      return b.kind === "symlink" && a.path === b.path && a.target === b.target;
    case "mount":
      return b.kind === "mount" && a.path === b.path && a.source === b.source;
    default:
      return true;
  }
}

/** Two providers of these need not be told apart: the same directory, or the same symlink. */
function harmlessDuplicate(a: ProvidedItem, b: ProvidedItem): boolean {
  return sameItem(a, b) && (a.kind === "symlink" || (a.kind === "path" && a.fileType === "directory"));
}

function satisfies(v: Validator, f: Found): boolean {
  switch (v.kind) {
    case "exists":
      return true;
    case "file-type":
      return f.fileType === v.fileType;
    case "executable":
      return f.fileType === "file" && ((f.mode ?? 0) & 0o111) !== 0;
    case "all":
      return v.of.every((x) => satisfies(x, f));
    case "any":
      return v.of.some((x) => satisfies(x, f));
  }
}

function foundFromItem(item: ProvidedItem): Found {
  if (item.kind === "path") return { fileType: item.fileType, mode: item.mode, text: itemText(item) };
  // as in antlir2, a mountpoint is not a directory to write into: what is installed there would be hidden
  if (item.kind === "mount") return { text: `${itemText(item)} (a mountpoint: nothing can be installed under it)` };
  if (item.kind === "symlink") return { fileType: "symlink", text: itemText(item) };
  return { text: itemText(item) };
}

/** How messages name a feature: its description, plus its label when it comes from another target. */
export function featureName(f: AnalyzedFeature, layerLabel: string): string {
  const d = f.module.describe(f.feature);
  return f.feature.label === layerLabel ? d : `${d} [${f.feature.label}]`;
}

export function buildPhaseGraph(features: AnalyzedFeature[], parent: FactsView, layerLabel: string): BuiltGraph {
  const errors: ErrorDetail[] = [];
  const name = (i: number): string => featureName(features[i]!, layerLabel);

  // 1. Phase symlinks, keyed first by their declared path, then by their canonical path.
  let symlinks = new Map<string, PhaseSymlink>();
  features.forEach((f, i) => {
    for (const it of f.analysis.provides) if (it.kind === "symlink") symlinks.set(normalizeImagePath(it.path), { target: it.target, provider: i });
  });
  let resolver = new GraphResolver(symlinks, parent);
  const canonicalLinks = new Map<string, PhaseSymlink>();
  for (const [p, l] of symlinks) {
    const r = resolver.resolveParent(p);
    canonicalLinks.set(r.ok ? r.path : p, l);
  }
  symlinks = canonicalLinks;
  resolver = new GraphResolver(symlinks, parent);

  // 2. Providers by canonical key. Directories and mount points follow a final symlink (mkdir -p does too).
  // Identical providers of one key (the same directory from many ensure_dirs_exist) are counted, not kept.
  // `providers` holds the first provider of each key; `conflicting` the full list for keys with differing ones.
  const providers = new Map<string, Provider>();
  const conflicting = new Map<string, Provider[]>();
  features.forEach((f, i) => {
    for (const raw of f.analysis.provides) {
      let item = raw;
      if (raw.kind !== "user" && raw.kind !== "group") {
        const followLast = raw.kind === "path" && raw.fileType === "directory";
        const r = resolver.resolve(normalizeImagePath(raw.path), followLast);
        if (!r.ok) {
          errors.push({ label: layerLabel, feature: name(i), message: `cannot place "${raw.path}": ${r.reason}` });
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

  // 3. Conflicts: within the phase, and against the parent layer and the ambient items.
  for (const [key, list] of conflicting) {
    const count = new Set(list.map((p) => p.feature)).size;
    // Equal items from features that differ otherwise (e.g. two install_text with other texts) still collide.
    const sameItems = list.every((p) => sameItem(p.item, list[0]!.item));
    errors.push({
      label: layerLabel,
      message: sameItems
        ? `${keyText(key)} is written by ${count} different features`
        : `${keyText(key)} is provided by ${count} features in different ways`,
      expected: "one provider, or identical directories",
      found: sameItems ? `${count} features each providing ${itemText(list[0]!.item)}` : `${list.length} different providers`,
      notes: list.map((p) => {
        // two features that read the same (install_text of one dst with other texts) are told apart by position
        const twin = list.some((q) => q.feature !== p.feature && name(q.feature) === name(p.feature));
        return `${name(p.feature)}${twin ? ` (feature #${p.feature} of the phase)` : ""} provides ${itemText(p.item)}`;
      }),
    });
  }
  for (const [key, first] of providers) checkAgainstParent(key, first, parent, errors, layerLabel, name);

  // 4. Requirements: resolve, look up, validate, add ordering edges.
  // The hot path keeps edges in plain arrays: a graphology graph costs an object and a key per edge, which at
  // 100k features is most of the time budget. graphology-view.ts gives the same graph for tools and inspection.
  const edges: EdgeList = { from: [], to: [] };
  const seen = new Set<number>();
  const n = features.length;
  const addEdge = (from: number, to: number): void => {
    if (from === to) return;
    const id = from * n + to;
    if (seen.has(id)) return;
    seen.add(id);
    edges.from.push(from);
    edges.to.push(to);
  };
  features.forEach((f, i) => {
    for (const req of f.analysis.requires) {
      const colon = req.key.indexOf(":");
      const kind = req.key.slice(0, colon);
      const raw = req.key.slice(colon + 1);
      let key: string = req.key;
      let via: number[] = [];
      if (kind === "path") {
        const r = resolver.resolve(normalizeImagePath(raw), true);
        if (!r.ok) {
          errors.push({ label: layerLabel, feature: name(i), message: `requires "${raw}", which cannot be resolved: ${r.reason}` });
          continue;
        }
        key = r.path;
        via = r.via;
      }
      const shown = (): string => (kind === "path" ? `"${raw}"${key !== raw ? ` (resolved through symlinks to "${key}")` : ""}` : `${kind} "${raw}"`);
      let phase = providers.get(key);
      if (kind === "path" && req.validator.kind === "exists" && phase === undefined && parentFound("path", key, parent) === undefined) {
        // A dangling symlink still exists as itself (e.g. for remove).
        const own = resolver.resolve(normalizeImagePath(raw), false);
        if (own.ok && (providers.has(own.path) || parent.path(own.path) !== undefined)) {
          key = own.path;
          via = own.via;
          phase = providers.get(key);
        }
      }
      let found: Found | undefined;
      if (phase !== undefined) found = foundFromItem(phase.item);
      else found = parentFound(kind, keyText(key), parent);
      if (found === undefined) {
        errors.push({
          label: layerLabel,
          feature: name(i),
          message: `requires ${shown()} but nothing provides it`,
          expected: `${kind === "path" ? "a path that" : `a ${kind} that`} ${validatorText(req.validator) === "exists" ? "exists" : `is ${validatorText(req.validator)}`}`,
          found: "not provided by this phase nor present in the parent layer",
        });
        continue;
      }
      if (!satisfies(req.validator, found)) {
        errors.push({
          label: layerLabel,
          feature: name(i),
          message: `requires ${shown()} to be ${validatorText(req.validator)}`,
          expected: validatorText(req.validator),
          found: phase !== undefined ? `${found.text}, provided by ${name(phase.feature)}` : `${found.text} (in the parent layer)`,
        });
        continue;
      }
      if (!req.ordered) continue;
      // One provider is enough: several providers of one key are identical (or already a conflict).
      if (phase !== undefined) addEdge(phase.feature, i);
      for (const s of via) addEdge(s, i);
    }
  });
  return { edges, errors };
}

function parentFound(kind: string, name: string, parent: FactsView): Found | undefined {
  if (kind === "path") {
    const mount = parent.mounts().find((m) => m.mountpoint === name);
    if (mount !== undefined) return { text: `the mountpoint of ${mount.sourceLabel ?? mount.source} (in the parent layer; nothing can be installed under it)` };
    const fact = parent.path(name);
    if (fact !== undefined) return { fileType: fact.type, mode: fact.mode, text: factText(fact) };
    return name === "/" ? { fileType: "directory", mode: 0o755, text: "the image root" } : undefined;
  }
  if (kind === "user") return parent.user(name) !== undefined || name === "root" ? { text: `user "${name}"` } : undefined;
  if (kind === "group") return parent.group(name) !== undefined || name === "root" ? { text: `group "${name}"` } : undefined;
  return undefined;
}

function checkAgainstParent(
  key: string,
  first: Provider,
  parent: FactsView,
  errors: ErrorDetail[],
  layerLabel: string,
  name: (i: number) => string,
): void {
  const item = first.item;
  const kind = key.startsWith("/") ? "path" : key.slice(0, key.indexOf(":"));
  const what = keyText(key);
  if (kind === "path") {
    const fact = parent.path(what);
    if (what === "/" && fact === undefined) {
      if (item.kind === "path" && item.fileType === "directory") return;
      errors.push({ label: layerLabel, feature: name(first.feature), message: `cannot replace the image root`, expected: "a directory", found: itemText(item) });
      return;
    }
    if (fact === undefined) return;
    if (fact.type === "directory" && ((item.kind === "path" && item.fileType === "directory") || item.kind === "mount")) return;
    if (fact.type === "symlink" && item.kind === "symlink" && fact.target === item.target) return;
    errors.push({
      label: layerLabel,
      feature: name(first.feature),
      message: `"${what}" already exists in the parent layer`,
      expected: `a path not yet in the image (only a directory may be re-provided as a directory)`,
      found: `parent has ${factText(fact)}; this feature provides ${itemText(item)}`,
    });
    return;
  }
  const exists = kind === "user" ? parent.user(what) !== undefined || what === "root" : parent.group(what) !== undefined || what === "root";
  if (exists && !item.reAdd) {
    errors.push({
      label: layerLabel,
      feature: name(first.feature),
      message: `${kind} "${what}" already exists in the parent layer`,
      expected: `a new ${kind} name`,
      found: `${kind} "${what}" in the parent's facts`,
    });
  }
}

