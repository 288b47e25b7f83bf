// The feature types the runner knows, and validation of the features file against their schemas.
// Adding a type: write src/features/<type>.ts exporting a FeatureModule and add it to MODULES below.
import type { z } from "zod";
import { StrataError, type ErrorDetail } from "../errors.js";
import type { FeatureBase } from "../types.js";
import type { FeatureModule } from "./types.js";
import { numberSites, siteOf } from "./site.js";
import { install } from "./install.js";
import { installText } from "./install_text.js";
import { ensureDirsExist } from "./ensure_dirs_exist.js";
import { ensureSubdirsExist } from "./ensure_subdirs_exist.js";
import { ensureFileSymlink } from "./ensure_file_symlink.js";
import { ensureDirSymlink } from "./ensure_dir_symlink.js";
import { remove } from "./remove.js";
import { requires } from "./requires.js";
import { groupAdd } from "./group_add.js";
import { userAdd } from "./user_add.js";
import { usermod } from "./usermod.js";
import { tarball } from "./tarball.js";
import { clone } from "./clone.js";
import { layerMount } from "./layer_mount.js";
import { genrule } from "./genrule.js";
import { hardlink } from "./hardlink.js";
import { aptInstall } from "./apt_install.js";
import { aptRemove } from "./apt_remove.js";
import { aptRemoveIfExists } from "./apt_remove_if_exists.js";

const MODULES: FeatureModule<any>[] = [
  install,
  installText,
  ensureDirsExist,
  ensureSubdirsExist,
  ensureFileSymlink,
  ensureDirSymlink,
  remove,
  requires,
  groupAdd,
  userAdd,
  usermod,
  tarball,
  clone,
  layerMount,
  genrule,
  hardlink,
  aptInstall,
  aptRemove,
  aptRemoveIfExists,
];

const registry = new Map<string, FeatureModule>();
for (const m of MODULES) registerFeature(m);

/** Adds a feature type (e.g. genrule from its own module). Throws if the type is already taken. */
export function registerFeature(m: FeatureModule<any>): void {
  if (registry.has(m.type)) throw new Error(`feature type "${m.type}" registered twice`);
  registry.set(m.type, m as FeatureModule);
}

export function featureModule(type: string): FeatureModule | undefined {
  return registry.get(type);
}

export function featureTypes(): string[] {
  return [...registry.keys()].sort();
}

function valueAt(obj: unknown, path: PropertyKey[]): unknown {
  let v: unknown = obj;
  for (const k of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

function show(v: unknown): string {
  if (v === undefined) return "nothing (attribute absent)";
  const s = JSON.stringify(v);
  return s.length > 120 ? s.slice(0, 117) + "..." : s;
}

/** What an issue wanted, in words. Union issues list every branch's wish. */
function expectedOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return issue.expected === "int" ? "an integer" : `a ${issue.expected}`;
    case "invalid_value":
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "too_small":
      return issue.origin === "string" ? `a string of at least ${issue.minimum} character(s)` : `at least ${issue.minimum}`;
    case "too_big":
      return issue.origin === "string" ? `a string of at most ${issue.maximum} character(s)` : `at most ${issue.maximum}`;
    case "invalid_union": {
      const wishes = issue.errors.flatMap((branch) => (branch[0] ? [expectedOf(branch[0])] : []));
      return [...new Set(wishes)].join(", or ");
    }
    default:
      return issue.message;
  }
}

/** `path:line` of the feature's call, as the rules write it (`loc`); anything else is left out of messages. */
const LOC = /^[^\u0000-\u001f]+:[1-9][0-9]*$/;

function locOf(raw: Record<string, unknown>): string | undefined {
  return typeof raw.loc === "string" && LOC.test(raw.loc) ? raw.loc : undefined;
}

/** Where a feature of the raw file is, `path:line:col`, for its schema errors. */
function rawSite(raw: Record<string, unknown>): string | undefined {
  const loc = locOf(raw);
  return loc !== undefined && typeof raw.type === "string" ? siteOf({ type: raw.type, label: "", loc }) : undefined;
}

function issueDetail(index: number, raw: Record<string, unknown>, module: FeatureModule, issue: z.core.$ZodIssue, layerLabel: string): ErrorDetail {
  const label = typeof raw.label === "string" ? raw.label : layerLabel;
  const feature = `feature #${index} (${module.type})`;
  if (issue.code === "unrecognized_keys") {
    const allowed = Object.keys((module.schema as unknown as { shape: Record<string, unknown> }).shape ?? {}).sort();
    return {
      kind: "schema",
      at: rawSite(raw),
      label,
      feature,
      message: `unknown attribute${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `"${k}"`).join(", ")}`,
      expected: `only ${allowed.join(", ")}`,
      found: issue.keys.map((k) => `${k}=${show(raw[k])}`).join(", "),
    };
  }
  const attr = issue.path.map(String).join(".");
  return {
    kind: "schema",
    at: rawSite(raw),
    label,
    feature,
    message: attr === "" ? "invalid feature" : `invalid attribute "${attr}"`,
    expected: expectedOf(issue),
    found: show(valueAt(raw, issue.path)),
  };
}

/**
 * A feature's `phase` (written by the rules into the features file) must be its type's phase, and so must the phase
 * being built (`--phase`), when given. Returns the problem, or undefined.
 */
function phaseProblem(index: number, obj: Record<string, unknown>, module: FeatureModule, label: string, phase: string | undefined): ErrorDetail | undefined {
  const feature = `feature #${index} (${module.type})`;
  const where = typeof obj.label === "string" ? obj.label : label;
  if (obj.phase !== undefined && obj.phase !== module.phase) {
    return { kind: "schema", at: rawSite(obj), label: where, feature, message: `the features file gives this feature the phase ${show(obj.phase)}`, expected: `"${module.phase}" (the phase of ${module.type} features)`, found: show(obj.phase) };
  }
  if (phase !== undefined && phase !== module.phase) {
    return { kind: "schema", at: rawSite(obj), label: where, feature, message: `a ${module.type} feature was given to the "${phase}" phase`, expected: `only features of the "${phase}" phase (${module.type} features run in "${module.phase}")`, found: `a ${module.type} feature` };
  }
  return undefined;
}

/**
 * Validates a features file (parsed JSON, or its text) and returns the typed features in input order.
 * Every invalid feature is reported in one StrataError. With `phase` (the phase being built), a feature of
 * another phase is an error too.
 */
export function parseFeatures(json: unknown, label: string, phase?: string): FeatureBase[] {
  let data = json;
  if (typeof json === "string") {
    try {
      data = JSON.parse(json);
    } catch (e) {
      throw new StrataError({ kind: "schema", label, message: `the features file is not valid JSON: ${(e as Error).message}` });
    }
  }
  if (!Array.isArray(data)) throw new StrataError({ kind: "schema", label, message: "the features file must hold a JSON array", expected: "an array of feature objects", found: show(data) });
  const errors: ErrorDetail[] = [];
  const out: FeatureBase[] = [];
  data.forEach((raw: unknown, index) => {
    if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
      errors.push({ kind: "schema", label, feature: `feature #${index}`, message: "a feature must be an object", expected: "an object with type and label", found: show(raw) });
      return;
    }
    const obj = raw as Record<string, unknown>;
    const module = typeof obj.type === "string" ? registry.get(obj.type) : undefined;
    if (module === undefined) {
      errors.push({
        kind: "schema",
        label: typeof obj.label === "string" ? obj.label : label,
        feature: `feature #${index}`,
        message: `unknown feature type`,
        expected: `one of ${featureTypes().join(", ")}`,
        found: show(obj.type),
      });
      return;
    }
    const misplaced = phaseProblem(index, obj, module, label, phase);
    if (misplaced !== undefined) {
      errors.push(misplaced);
      return;
    }
    const { phase: _phase, loc: _loc, ...attrs } = obj;
    if (_loc !== undefined && locOf(obj) === undefined) {
      errors.push({ kind: "schema", label: typeof obj.label === "string" ? obj.label : label, feature: `feature #${index} (${module.type})`, message: `invalid attribute "loc"`, expected: 'the place of its call, "path:line"', found: show(_loc) });
      return;
    }
    const result = module.schema.safeParse(attrs);
    if (result.success) {
      if (_loc !== undefined) (result.data as FeatureBase).loc = _loc as string;
      out.push(result.data);
    }
    else for (const issue of result.error.issues) errors.push(issueDetail(index, obj, module, issue, label));
  });
  if (errors.length > 0) throw new StrataError(errors);
  numberSites(out);
  return out;
}
