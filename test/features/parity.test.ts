// One truth per feature: each feature type's Starlark function (rules/private/features/<type>.bzl, as registered in
// rules/private/features/registry.bzl) and its runner module (src/features/<type>.ts, as registered in
// src/features/registry.ts) must agree on the name, the parameters, which are required, the defaults and the phase.
// Data-driven: a feature type added on either side is checked without editing this file.
//
// The Starlark side is read by scripts/starlark_api.py: the registry and phases evaluated with the local driver's
// starlark-rust, each function's signature parsed from the `def` starlark-rust names.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { isDeepStrictEqual } from "node:util";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { StrataError } from "../../src/errors.js";
import { featureModule, featureTypes, parseFeatures } from "../../src/features/registry.js";
import { BUILD_PHASES } from "../../src/features/phases.js";
import type { FeatureModule } from "../../src/features/types.js";
import { repoRoot } from "../rules/project.js";

interface StarlarkParam {
  name: string;
  required: boolean;
  keyword_only: boolean;
  default?: unknown;
  default_text?: string;
}
interface StarlarkFeature {
  name: string;
  phase: string;
  sources: string[];
  layers: string[];
  mount: [string, string] | null;
  /** attributes the Starlark function fills itself (genrule's macro targets): in the schema, not parameters */
  source_dicts: string[];
  /** attributes the rules fill at analysis (the apt features' package plan): in the schema, not parameters */
  planned: string[];
  function: { file: string; name: string; params: StarlarkParam[]; varargs: boolean; kwargs: boolean };
}
interface StarlarkFeatures {
  phases: string[];
  features: StarlarkFeature[];
}

export function starlarkFeatures(): StarlarkFeatures {
  const out = execFileSync("python3", [join(repoRoot, "scripts", "starlark_api.py"), "features"], { encoding: "utf8" });
  return JSON.parse(out) as StarlarkFeatures;
}

/** Keys of a feature schema (a zod object, possibly refined or piped) other than `type` and `label`. */
function schemaFields(module: FeatureModule): Map<string, z.ZodType> {
  const s = module.schema as unknown as { shape?: Record<string, z.ZodType>; _zod?: { def?: { in?: { shape?: Record<string, z.ZodType> } } } };
  const shape = s.shape ?? s._zod?.def?.in?.shape;
  if (shape === undefined) throw new Error(`src/features: the schema of ${module.type} is not a zod object; the parity test cannot read its keys`);
  return new Map(Object.entries(shape).filter(([k]) => k !== "type" && k !== "label"));
}

/** What the runner does with an absent attribute: rejects it, or takes this value (undefined: no default). */
function absentValue(field: z.ZodType): { optional: boolean; value?: unknown } {
  const r = field.safeParse(undefined);
  return r.success ? { optional: true, value: r.data } : { optional: false };
}

const show = (v: unknown): string => JSON.stringify(v);

/** Every disagreement between the two sides of one feature type, in words. */
export function disagreements(star: StarlarkFeature, module: FeatureModule): string[] {
  const out: string[] = [];
  const fn = star.function;
  const where = `${fn.file} ${fn.name}() vs src/features/${module.type}.ts`;
  if (star.phase !== module.phase) out.push(`${where}: phase "${star.phase}" in Starlark, "${module.phase}" in the runner`);
  if (fn.varargs || fn.kwargs) out.push(`${where}: the Starlark function takes *args/**kwargs; its parameters must be the feature's attributes`);
  const fields = schemaFields(module);
  const params = new Map(fn.params.map((p) => [p.name, p]));
  const filledByRules = new Set([...star.source_dicts, ...star.planned]);
  for (const name of filledByRules) if (!fields.has(name)) out.push(`${where}: "${name}" is filled by the Starlark function but not in the runner's schema`);
  for (const name of fields.keys()) if (!params.has(name) && !filledByRules.has(name)) out.push(`${where}: attribute "${name}" is in the runner's schema but not a parameter of the Starlark function`);
  for (const p of fn.params) {
    const field = fields.get(p.name);
    if (field === undefined) {
      out.push(`${where}: parameter "${p.name}" of the Starlark function is not in the runner's schema`);
      continue;
    }
    const absent = absentValue(field);
    if (p.required && absent.optional) out.push(`${where}: "${p.name}" is required in Starlark but optional in the runner${absent.value !== undefined ? ` (default ${show(absent.value)})` : ""}`);
    if (!p.required && !absent.optional) out.push(`${where}: "${p.name}" has the Starlark default ${p.default_text} but is required in the runner`);
    // None in Starlark means "absent from the features file": the runner's default (if any) applies
    if (!p.required && absent.optional && p.default !== null && !isDeepStrictEqual(p.default, absent.value)) {
      out.push(`${where}: "${p.name}" defaults to ${p.default_text} in Starlark but to ${absent.value === undefined ? "nothing (no default in the schema)" : show(absent.value)} in the runner`);
    }
  }
  for (const attr of [...star.sources, ...star.layers, ...(star.mount ?? [])]) if (!params.has(attr)) out.push(`${where}: sources/layers name "${attr}", which is not a parameter`);
  return out;
}

describe("feature parity (Starlark twin vs runner module)", () => {
  const star = starlarkFeatures();
  const byName = new Map(star.features.map((f) => [f.name, f]));
  const names = [...new Set([...byName.keys(), ...featureTypes()])].sort();

  it("the build phases are the same list, in the same order", () => {
    expect(star.phases).toEqual([...BUILD_PHASES]);
  });

  it("both registries list the same feature types", () => {
    expect([...byName.keys()].sort()).toEqual(featureTypes());
  });

  it.each(names)("%s: name, parameters, required, defaults and phase agree", (name) => {
    const s = byName.get(name);
    const m = featureModule(name);
    expect(s, `feature type "${name}" is in src/features/registry.ts but not in rules/private/features/registry.bzl`).toBeDefined();
    expect(m, `feature type "${name}" is in rules/private/features/registry.bzl but not in src/features/registry.ts`).toBeDefined();
    expect(disagreements(s!, m!)).toEqual([]);
  });
});

interface PublicMember {
  name: string;
  kind: string;
  signature?: { file: string; name: string };
}

describe("rules/defs.bzl's `feature` struct is the registry, written out", () => {
  // Written out field by field (not `**FEATURE_FUNCTIONS`), so `buck2 lsp` goes from `feature.install` to its def
  // (issue 19 item 10). A feature type added to the registry but not to the struct, or a field pointing at another
  // function, fails here.
  it("has feature.new and one field per registered feature type, each the registered function", () => {
    const out = execFileSync("python3", [join(repoRoot, "scripts", "starlark_api.py"), "public"], { encoding: "utf8" });
    const names = (JSON.parse(out) as { names: { name: string; members?: PublicMember[] }[] }).names;
    const members = names.find((n) => n.name === "feature")!.members!;
    const fields = new Map(members.map((m) => [m.name.replace(/^feature\./, ""), m.signature ? `${m.signature.file} ${m.signature.name}` : m.kind]));
    const registered = new Map(starlarkFeatures().features.map((f) => [f.name, `${f.function.file} ${f.function.name}`]));
    expect(fields.get("new")).toBe("rules/private/feature_new.bzl new");
    fields.delete("new");
    const sorted = (m: Map<string, string>): [string, string][] => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    expect(sorted(fields), "rules/defs.bzl: `feature = struct(...)` must list each registered feature type as `<name> = _<name>` (loaded from rules/private/features/<name>.bzl)").toEqual(sorted(registered));
  });
});

describe("the shape that keeps one truth per feature", () => {
  // Outside rules/private/features/, the rules treat every feature type alike, through its descriptor (phase, sources,
  // layers, mount): no rule tests a feature's type against a name.
  // A test on a feature's type by name: `f["type"] == "install"`, `f.get("type") in (...)`, `ftype.name == "genrule"`.
  const typeTest = /("type"\]?\)?|\bf?type\.name)\s*(==|!=|in)\s*[("\[]/;

  it("the type-test pattern catches the spellings it is meant to", () => {
    for (const line of ['if f["type"] == "install":', 'if f.get("type") in ("apt_install", "apt_remove"):', 'if ftype.name == "genrule":', 'elif feature["type"] != "remove":']) expect(line).toMatch(typeTest);
    for (const line of ['if type(value) == "string":', 'ftype = FEATURE_TYPES_BY_NAME.get(item.get("type"))']) expect(line).not.toMatch(typeTest);
  });

  it("no rule outside rules/private/features/ special-cases a feature type by name", () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(join(repoRoot, dir), { withFileTypes: true })) {
        const rel = `${dir}/${entry.name}`;
        if (entry.isDirectory()) {
          if (rel !== "rules/private/features") walk(rel);
        } else if (entry.name.endsWith(".bzl")) files.push(rel);
      }
    };
    walk("rules");
    // the rules that build phases and packages are read, not just rules/defs.bzl
    expect(files.length).toBeGreaterThan(5);
    expect(files).toEqual(expect.arrayContaining(["rules/defs.bzl", "rules/private/layer.bzl", "rules/private/feature_collection.bzl", "rules/private/package/defs.bzl"]));
    const offenders: string[] = [];
    for (const file of files) {
      readFileSync(join(repoRoot, file), "utf8").split("\n").forEach((line, i) => {
        if (typeTest.test(line)) offenders.push(`${file}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(offenders).toEqual([]);
  });

  it("the features file carries each feature's phase, and the runner refuses a feature given to another phase", () => {
    const remove = { type: "remove", label: "//img:a", path: "/x" };
    expect(parseFeatures([{ ...remove, phase: "remove" }], "//img:a", "remove")).toEqual([{ ...remove, must_exist: true }]);
    const caught = (fn: () => unknown): StrataError => {
      try {
        fn();
      } catch (e) {
        if (e instanceof StrataError) return e;
        throw e;
      }
      throw new Error("expected a StrataError");
    };
    const wrongPhase = caught(() => parseFeatures([{ ...remove, phase: "remove" }], "//img:a", "compile"));
    expect(wrongPhase.details.map((d) => d.kind)).toEqual(["schema"]);
    expect(wrongPhase.message).toMatch(/^error: \/\/img:a: feature #0 \(remove\): a remove feature was given to the "compile" phase$/m);
    const wrongField = caught(() => parseFeatures([{ ...remove, phase: "compile" }], "//img:a"));
    expect(wrongField.details.map((d) => [d.kind, d.expected])).toEqual([["schema", '"remove" (the phase of remove features)']]);
  });

  it("strata compile refuses a features file of another phase before touching storage", () => {
    const dir = mkdtempSync(join(tmpdir(), "strata-phase-"));
    const features = join(dir, "features.json");
    writeFileSync(features, JSON.stringify([{ type: "remove", label: "//img:a", path: "/x", phase: "remove" }]));
    const r = spawnSync("node", [join(repoRoot, "bin", "strata.mjs"), "compile", "--label", "//img:a", "--phase", "compile", "--features", features, "--out", join(dir, "out"), "--working-volume", join(dir, "wv")], { encoding: "utf8" });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^error: \/\/img:a: feature #0 \(remove\): a remove feature was given to the "compile" phase/m);
    expect(existsSync(join(dir, "wv"))).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });
});
