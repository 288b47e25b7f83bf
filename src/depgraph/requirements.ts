// Step 5 of buildPhaseGraph: requirements, resolved through symlinks, looked up in the phase and then the parent,
// validated, and turned into ordering edges.
import type { ErrorDetail } from "../errors.js";
import type { FactsView, FileType, Validator } from "../types.js";
import type { ProvidedItem } from "../features/types.js";
import { normalizeImagePath } from "../image/path.js";
import type { AnalyzedFeature, BuiltGraph, EdgeList, Namer, Placer } from "./model.js";
import { keyText, type Provider } from "./items.js";
import type { GraphResolver } from "./resolver.js";
import { factText, itemText, missingFix, starlarkCall, validatorText } from "./text.js";

/** What sits at a required key, whoever made it. */
interface Found {
  fileType?: FileType;
  mode?: number;
  text: string;
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

/**
 * Step 5: requirements, resolved, looked up (phase first, then parent) and validated; each satisfied ordered
 * requirement becomes an edge provider → requirer. The edges are plain arrays: a graphology graph costs an object
 * and a key per edge, which at 100k features is most of the time budget (graphology-view.ts gives the same graph).
 */
export function wireRequirements(
  features: AnalyzedFeature[],
  providers: Map<string, Provider>,
  resolver: GraphResolver,
  parent: FactsView,
  layerLabel: string,
  name: Namer,
  at: Placer = () => undefined,
): BuiltGraph {
  const errors: ErrorDetail[] = [];
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
          errors.push({ kind: "unsatisfied", at: at(i), label: layerLabel, feature: name(i), message: `requires "${raw}", which cannot be resolved: ${r.reason}` });
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
          kind: "missing",
          at: at(i),
          label: layerLabel,
          feature: name(i),
          message: `requires ${shown()} but nothing provides it`,
          expected: `${kind === "path" ? "a path that" : `a ${kind} that`} ${validatorText(req.validator) === "exists" ? "exists" : `is ${validatorText(req.validator)}`}`,
          found: "not provided by this phase nor present in the parent layer",
          fix: missingFix(kind, kind === "path" ? key : raw, req.validator),
        });
        continue;
      }
      if (!satisfies(req.validator, found)) {
        errors.push({
          kind: "unsatisfied",
          at: at(i),
          label: layerLabel,
          feature: name(i),
          message: `requires ${shown()} to be ${validatorText(req.validator)}`,
          expected: validatorText(req.validator),
          found: phase !== undefined ? `${found.text}, provided by ${name(phase.feature)}${at(phase.feature) !== undefined ? ` at ${at(phase.feature)}` : ""}` : `${found.text} (in the parent layer)`,
          ...(phase === undefined && kind === "path"
            ? { fix: `${starlarkCall("remove", { path: keyText(key) })} in the same layer, then ${missingFix(kind, keyText(key), req.validator)}` }
            : {}),
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
