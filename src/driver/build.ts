// `build`: evaluate the patterns, run the actions their DefaultInfo outputs need, report outputs as Buck2 does.
import { evaluateTargets, type Evaluation, type RequestedTarget } from "./evaluation.js";
import { actionsFor, runActions, type RunOptions, type RunReport } from "./executor.js";

export interface BuildResult {
  evaluation: Evaluation;
  report: RunReport;
}

export async function buildTargets(root: string, patterns: string[], cwd: string, opts: RunOptions = {}): Promise<BuildResult> {
  const evaluation = await evaluateTargets(root, patterns, cwd);
  const report = await buildRequested(evaluation, evaluation.requested, opts);
  return { evaluation, report };
}

/** Runs the actions producing the default and other outputs of `targets`. */
export async function buildRequested(evaluation: Evaluation, targets: RequestedTarget[], opts: RunOptions = {}): Promise<RunReport> {
  const actions = actionsFor(evaluation, targets.flatMap((t) => t.build.map((b) => b.producer)));
  return runActions(evaluation.root, actions, opts);
}

/** `--show-output` lines: `LABEL PATH` per default output (PATH relative to the project root), `LABEL` alone if none. */
export function showOutputLines(targets: RequestedTarget[]): string[] {
  return targets.flatMap((t) => (t.default_outputs.length === 0 ? [t.label] : t.default_outputs.map((p) => `${t.label} ${p}`)));
}
