// `build`: evaluate the patterns, run the actions their DefaultInfo outputs need, report outputs as Buck2 does.
import { evaluateTargets, type Evaluation, type RequestedTarget } from "./evaluation.js";
import { actionsFor, runActions, type RunOptions, type RunReport } from "./executor.js";
import { ActionFailures, DriverFailure } from "./failure.js";
import { Progress } from "./progress.js";

export interface BuildResult {
  evaluation: Evaluation;
  report: RunReport;
}

export async function buildTargets(root: string, patterns: string[], cwd: string, opts: RunOptions = {}): Promise<BuildResult> {
  const evaluation = await evaluateTargets(root, patterns, cwd);
  const report = await buildRequested(evaluation, evaluation.requested, opts);
  return { evaluation, report };
}

/** Runs the actions producing the default and other outputs of `targets`. On failure, every failed action's error,
 * then (as Buck2 ends) `BUILD FAILED` and a `Failed to build 'LABEL'` line per requested target left unbuilt. */
export async function buildRequested(evaluation: Evaluation, targets: RequestedTarget[], opts: RunOptions = {}): Promise<RunReport> {
  const needs = targets.map((t) => ({ label: t.label, actions: actionsFor(evaluation, t.build.map((b) => b.producer)) }));
  const actions = actionsFor(evaluation, targets.flatMap((t) => t.build.map((b) => b.producer)));
  const progress = opts.progress ?? Progress.forTerminal(actions, opts.verbose ?? false);
  try {
    return await runActions(evaluation.root, actions, { ...opts, progress });
  } catch (e) {
    if (!(e instanceof ActionFailures)) throw e;
    const unbuilt = needs.filter((n) => n.actions.some((a) => !e.done.has(a.index))).map((n) => `Failed to build '${n.label}'`);
    throw new DriverFailure([e.text, "", "BUILD FAILED", ...new Set(unbuilt)].join("\n"), e.exitCode);
  } finally {
    if (progress instanceof Progress) progress.stop();
  }
}

/** `--show-output` lines: `LABEL PATH` per default output (PATH relative to the project root), `LABEL` alone if none. */
export function showOutputLines(targets: RequestedTarget[]): string[] {
  return targets.flatMap((t) => (t.default_outputs.length === 0 ? [t.label] : t.default_outputs.map((p) => `${t.label} ${p}`)));
}
