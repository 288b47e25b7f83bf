// Shared by the apt_* feature modules: the package-name schema and the plan the layer rule resolved at analysis
// (rules/private/features/apt_plan.bzl plan_apt adds `resolved` to each apt feature; the user never writes it).
import { z } from "zod";
import { StrataError } from "../errors.js";
import { aptProblemError, type AptProblem } from "../debian/plan-problems.js";
import type { Analysis, AnalyzeContext } from "./types.js";

export const packagesSchema = z.array(z.string().regex(/^[a-z0-9][a-z0-9+.-]*$/, { message: "a Debian package name" })).min(1);

export const resolvedDebSchema = z.strictObject({
  name: z.string().min(1),
  version: z.string().min(1),
  architecture: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  essential: z.boolean(),
  pre_depends: z.array(z.string()),
  depends: z.array(z.string()).default([]),
  /** the .deb (a Buck2 artifact path, relative to the project root) */
  deb: z.string().min(1),
});

/**
 * What the layer rule could not plan (apt_plan.bzl): no flavor in the layer chain, packages not in the lock, removing
 * a package the parent does not have, installing and removing one package, removing what a remaining package needs.
 */
export const aptProblemSchema = z.strictObject({
  problem: z.enum(["no_flavor", "not_in_lock", "not_installed", "installed_and_removed", "breaks"]),
  missing: z.array(z.string().min(1)).optional(),
  /** breaks: the package that stays and depends on the one removed */
  needed_by: z.string().optional(),
  repo: z.string().optional(),
  manifest: z.string().optional(),
  update: z.string().optional(),
});

export function isProblem(resolved: object | undefined): resolved is AptProblem {
  return resolved !== undefined && "problem" in resolved;
}

/** An apt feature's analysis: nothing to declare, unless the layer rule left a problem in place of the plan. */
export async function analyzeApt(f: { type: string; packages: string[]; resolved?: object }, name: string, ctx: AnalyzeContext): Promise<Analysis> {
  if (isProblem(f.resolved)) throw await aptProblemError({ type: f.type, packages: f.packages, name }, f.resolved, ctx);
  return { requires: [], provides: [] };
}

export function missingPlan(label: string, feature: string): StrataError {
  return new StrataError({ kind: "schema", label, feature, message: "no package plan", expected: "the `resolved` plan image.layer adds at analysis (build the layer with a flavor)", found: "a features file without it" });
}
