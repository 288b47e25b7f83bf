// What the layer rule could not plan for an apt feature (rules/private/features/apt_plan.bzl puts a `problem` in
// `resolved`), told with what only the runner can read: the flavors the project declares (its build files), and
// the archive's index (a name in no index is a typo, with "did you mean"). The errors are placed at the feature's
// call by the depgraph (features/site.ts).
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { StrataError, type ErrorDetail } from "../errors.js";
import { readManifest } from "./lock.js";
import { readProjectConfig } from "../buckconfig.js";
import { debianMirror } from "./mirror.js";
import { closestNames } from "./names.js";
import { archiveNames, defaultAptDir } from "./resolve.js";

export interface AptProblem {
  problem: "no_flavor" | "not_in_lock" | "not_installed" | "installed_and_removed" | "breaks";
  missing?: string[];
  /** breaks: the package that stays and depends on the removed one */
  needed_by?: string;
  /** the deb_repo target */
  repo?: string;
  /** its manifest, project-relative ("" when the deb_repo names none) */
  manifest?: string;
  /** the command that rewrites the lock, as the user runs it */
  update?: string;
}

interface FeatureRef {
  type: string;
  packages: string[];
  /** the feature in messages */
  name: string;
}

const ALWAYS_IGNORED = new Set([".git", "node_modules", "buck-out", "strata-out"]);

/** `//pkg:name` of every `flavor(name = "...")` call at the top of the project's build files, sorted. */
export function declaredFlavors(projectRoot: string): string[] {
  const buildfile = readProjectConfig(projectRoot, "buildfile", "name") ?? "BUCK";
  const ignored = new Set((readProjectConfig(projectRoot, "project", "ignore") ?? "").split(",").map((s) => s.trim()).filter((s) => s !== ""));
  const out: string[] = [];
  const visit = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const path = join(dir, e.name);
      const rel = relative(projectRoot, path);
      if (e.isDirectory()) {
        if (!ALWAYS_IGNORED.has(e.name) && !e.name.startsWith(".") && !ignored.has(rel)) visit(path);
      } else if (e.isFile() && e.name === buildfile) {
        const pkg = relative(projectRoot, dir);
        for (const call of readFileSync(path, "utf8").matchAll(/^flavor\(([^)]*)\)/gm)) {
          const name = /\bname\s*=\s*"([^"]+)"/.exec(call[1]!)?.[1];
          if (name !== undefined) out.push(`//${pkg}:${name}`);
        }
      }
    }
  };
  visit(projectRoot);
  return out.sort();
}

function noFlavor(f: FeatureRef, label: string, projectRoot: string): ErrorDetail {
  const flavors = declaredFlavors(projectRoot);
  return {
    kind: "missing",
    label,
    feature: f.name,
    message: `feature.${f.type} needs a flavor: the layer and its parents name none`,
    expected: "image.layer(flavor = ...) on this layer or a parent layer",
    found: flavors.length > 0 ? `the project declares ${flavors.length === 1 ? "the flavor" : "the flavors"} ${flavors.join(", ")}` : "the project declares no flavor (deb_repo and flavor, docs/debian.md)",
    ...(flavors.length > 0 ? { fix: `image.layer(..., flavor = "${flavors.find((x) => !x.includes("bootstrap")) ?? flavors[0]}") on this layer or a parent layer` } : {}),
  };
}

/** The archive's names for the manifest, or why they cannot be had. */
async function indexOf(problem: AptProblem, label: string, projectRoot: string): Promise<Set<string> | string> {
  if (problem.manifest === undefined || problem.manifest === "") return "the deb_repo names no manifest";
  const path = resolve(projectRoot, problem.manifest);
  if (!existsSync(path)) return `no manifest ${problem.manifest}`;
  try {
    const { manifest, digest } = readManifest(path);
    return await archiveNames(manifest, { mirror: debianMirror(projectRoot, label), aptDir: defaultAptDir(digest), label });
  } catch (e) {
    return e instanceof StrataError ? e.details[0]!.message : (e as Error).message;
  }
}

async function notInLock(f: FeatureRef, problem: AptProblem, label: string, projectRoot: string): Promise<ErrorDetail[]> {
  const index = await indexOf(problem, label, projectRoot);
  const repo = problem.repo ?? "the flavor's deb_repo";
  const manifest = problem.manifest !== undefined && problem.manifest !== "" ? problem.manifest : "its manifest";
  const update = problem.update ?? "npx strata deb-lock --manifest <manifest> --out <lock>";
  return (problem.missing ?? []).map((name): ErrorDetail => {
    if (typeof index !== "string" && !index.has(name)) {
      const near = closestNames(name, index);
      const corrected = near.length > 0 ? [...new Set(f.packages.map((p) => (p === name ? near[0]! : p)))] : undefined;
      return {
        kind: "missing",
        label,
        feature: f.name,
        message: `package "${name}" is in no index of the archive: a typo?${near.length > 0 ? ` did you mean ${near.map((n) => `"${n}"`).join(" or ")}?` : ""}`,
        expected: `a package name in the archive's indices (the suites and components of ${manifest})`,
        found: `no package "${name}" in its indices`,
        ...(corrected !== undefined ? { fix: `feature.${f.type}(packages = [${corrected.map((p) => JSON.stringify(p)).join(", ")}])` } : {}),
      };
    }
    return {
      kind: "missing",
      label,
      feature: f.name,
      message: `package "${name}" is not in the lock of ${repo}`,
      expected: `a package of the lock (the manifest ${manifest} and what its packages depend on)`,
      found: typeof index === "string" ? `not in the lock (the archive's index could not be read: ${index})` : `"${name}" is in the archive, not in the manifest`,
      fix: `add "${name}" to "packages" in ${manifest}, then run: ${update}`,
    };
  });
}

const quoted = (names: string[]): string => names.map((n) => JSON.stringify(n)).join(", ");

/** Problems of what a layer removes, against what its parent installed and what it keeps. */
function removalProblem(f: FeatureRef, problem: AptProblem, label: string): ErrorDetail[] {
  const names = problem.missing ?? [];
  const rest = f.packages.filter((p) => !names.includes(p));
  const base = { kind: "unsatisfied" as const, label, feature: f.name };
  if (problem.problem === "not_installed") {
    return names.map((name) => ({
      ...base,
      message: `package "${name}" is not installed in the parent layer`,
      expected: "packages the parent layers installed",
      found: `no "${name}" among them`,
      fix: `feature.apt_remove_if_exists(packages = [${quoted([name])}])${rest.length > 0 ? `, and feature.apt_remove(packages = [${quoted(rest)}])` : ""}, to allow that`,
    }));
  }
  if (problem.problem === "installed_and_removed") {
    return names.map((name) => ({
      ...base,
      message: `package "${name}" is both installed and removed by this layer`,
      expected: "each package installed or removed, not both",
      found: `"${name}" in this feature and in a feature.apt_remove of the same layer`,
      fix: `leave "${name}" out of one of the two features`,
    }));
  }
  const [dep, by] = [names[0] ?? "", problem.needed_by ?? ""];
  return [
    {
      ...base,
      message: `removing package "${dep}" breaks "${by}", which depends on it`,
      expected: "no remaining package depending on a removed one",
      found: `"${by}" stays and depends on "${dep}"`,
      fix: `feature.${f.type}(packages = [${quoted([...f.packages, by])}]) to remove "${by}" too, or keep "${dep}"`,
    },
  ];
}

/** The error for an apt feature the layer rule could not plan. */
export async function aptProblemError(f: FeatureRef, problem: AptProblem, ctx: { label: string; projectRoot: string }): Promise<StrataError> {
  if (problem.problem === "no_flavor") return new StrataError(noFlavor(f, ctx.label, ctx.projectRoot));
  if (problem.problem === "not_in_lock") return new StrataError(await notInLock(f, problem, ctx.label, ctx.projectRoot));
  return new StrataError(removalProblem(f, problem, ctx.label));
}
