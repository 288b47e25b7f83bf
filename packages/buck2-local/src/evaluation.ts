// Runs evaluate.py (starlark-rust via starlark-pyo3) and parses its JSON: requested targets and the action graph.
import { execa } from "execa";
import { relative } from "node:path";
import { z } from "zod";
import { EvaluationCache } from "./evaluation-cache.js";
import { DriverFailure } from "./failure.js";
import { driverFile } from "./locate.js";

const inputSchema = z.object({ path: z.string(), producer: z.number().nullable() });

export const actionSchema = z.object({
  index: z.number(),
  owner: z.string(),
  category: z.string(),
  identifier: z.string().nullable(),
  kind: z.enum(["run", "write", "copy", "symlink", "download"]),
  argv: z.array(z.string()).optional(),
  env: z.record(z.string(), z.string()),
  content: z.string().optional(),
  is_executable: z.boolean().optional(),
  src: z.string().optional(),
  url: z.string().optional(),
  sha256: z.string().nullable().optional(),
  sha1: z.string().nullable().optional(),
  local_only: z.boolean(),
  no_outputs_cleanup: z.boolean(),
  inputs: z.array(inputSchema),
  outputs: z.array(z.object({ path: z.string(), dir: z.boolean() })),
});
export type Action = z.infer<typeof actionSchema>;

const requestedSchema = z.object({
  label: z.string(),
  rule_type: z.string().nullable(),
  default_outputs: z.array(z.string()),
  build: z.array(inputSchema),
  providers: z.record(z.string(), z.unknown()),
});
export type RequestedTarget = z.infer<typeof requestedSchema>;

const evaluationSchema = z.object({
  root: z.string(),
  requested: z.array(requestedSchema),
  actions: z.array(actionSchema),
});
export type Evaluation = z.infer<typeof evaluationSchema>;

/** starlark/evaluate.py: the Python files are not compiled, they stay in the package wherever this module runs from */
export function evaluateScript(): string {
  return driverFile("starlark", "evaluate.py");
}

async function evaluate(root: string, rel: string, python: string, args: string[]): Promise<string> {
  const r = await execa(python, [evaluateScript(), "--root", root, "--cwd", rel, ...args], {
    reject: false,
    maxBuffer: 1024 * 1024 * 512,
  });
  if (r.exitCode !== 0) {
    throw new DriverFailure(r.stderr || `error: the local driver's evaluator exited with ${r.exitCode}`, r.exitCode === 1 ? 1 : 2);
  }
  return r.stdout;
}

/** Evaluates BUCK/.bzl files and analyses the targets that `patterns` name (relative to `cwd`); an earlier
 * evaluation of the same patterns is reused while nothing it read has changed (STRATA_LOCAL_EVAL_CACHE=0: never). */
export async function evaluateTargets(root: string, patterns: string[], cwd: string = root): Promise<Evaluation> {
  const python = process.env["STRATA_PYTHON"] ?? "python3";
  const rel = relative(root, cwd) || ".";
  const started = performance.now();
  const cache = process.env["STRATA_LOCAL_EVAL_CACHE"] === "0" ? undefined : new EvaluationCache(root, rel, patterns, python);
  const kept = cache?.lookup();
  // a kept evaluation was checked against the schema when it was made
  if (kept !== undefined) {
    const evaluation = JSON.parse(kept) as Evaluation;
    trace(`evaluation kept (nothing it read changed): ${Math.round(performance.now() - started)} ms`);
    return evaluation;
  }
  const out = await evaluate(root, rel, python, ["--deps", "--", ...patterns]);
  const evaluation = evaluationSchema.parse(JSON.parse(out.slice(out.indexOf("\n") + 1)));
  cache?.store(out);
  trace(`evaluation: ${Math.round(performance.now() - started)} ms`);
  return evaluation;
}

/** How users call the driver's verbs (`npx strata local`): the commands its errors suggest start with it. Given to
 * evaluate.py through the environment, which every evaluation inherits. */
export function setInvocation(command: string): void {
  process.env["BUCK2_LOCAL_INVOCATION"] = command;
}

/** What `buck2 uquery|cquery PATTERN... [--output-attribute REGEX]...` prints, from loading the packages only. */
export async function queryTargets(root: string, kind: "uquery" | "cquery", patterns: string[], attributes: string[], cwd: string = root): Promise<string> {
  const python = process.env["STRATA_PYTHON"] ?? "python3";
  return evaluate(root, relative(root, cwd) || ".", python, ["--query", kind, ...attributes.flatMap((a) => ["--output-attribute", a]), "--", ...patterns]);
}

/** STRATA_TRACE=1: where a build's time goes, on stderr */
export function trace(line: string): void {
  if (process.env["STRATA_TRACE"] === "1") process.stderr.write(`strata local: ${line}\n`);
}
