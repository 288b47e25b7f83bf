// Runs evaluate.py (starlark-rust via starlark-pyo3) and parses its JSON: requested targets and the action graph.
import { execa } from "execa";
import { relative } from "node:path";
import { z } from "zod";
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

/** Evaluates BUCK/.bzl files and analyses the targets that `patterns` name (relative to `cwd`). */
export async function evaluateTargets(root: string, patterns: string[], cwd: string = root): Promise<Evaluation> {
  const python = process.env["STRATA_PYTHON"] ?? "python3";
  const rel = relative(root, cwd) || ".";
  const r = await execa(python, [evaluateScript(), "--root", root, "--cwd", rel, ...patterns], {
    reject: false,
    maxBuffer: 1024 * 1024 * 512,
  });
  if (r.exitCode !== 0) {
    throw new DriverFailure(r.stderr || `error: the local driver's evaluator exited with ${r.exitCode}`, r.exitCode === 1 ? 1 : 2);
  }
  return evaluationSchema.parse(JSON.parse(r.stdout));
}

/** How users call the driver's verbs (`npx strata local`): the commands its errors suggest start with it. Given to
 * evaluate.py through the environment, which every evaluation inherits. */
export function setInvocation(command: string): void {
  process.env["BUCK2_LOCAL_INVOCATION"] = command;
}

/** What `buck2 uquery|cquery PATTERN... [--output-attribute REGEX]...` prints, from loading the packages only. */
export async function queryTargets(root: string, kind: "uquery" | "cquery", patterns: string[], attributes: string[], cwd: string = root): Promise<string> {
  const python = process.env["STRATA_PYTHON"] ?? "python3";
  const rel = relative(root, cwd) || ".";
  const attrs = attributes.flatMap((a) => ["--output-attribute", a]);
  const r = await execa(python, [evaluateScript(), "--root", root, "--cwd", rel, "--query", kind, ...attrs, "--", ...patterns], { reject: false });
  if (r.exitCode !== 0) {
    throw new DriverFailure(r.stderr || `error: the local driver's evaluator exited with ${r.exitCode}`, r.exitCode === 1 ? 1 : 2);
  }
  return r.stdout;
}
