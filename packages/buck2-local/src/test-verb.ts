// `strata local test`: like `buck2 test` with its default runner. Builds what each test's
// ExternalRunnerTestInfo needs, runs the commands from the project root with a cleared environment (PATH, USER,
// LOGNAME, HOME, TMPDIR, XDG_RUNTIME_DIR, plus the test's env), prints each result with the test's stdout and
// stderr (for a passing test too, as Buck2 does) and a summary, and exits 32 when a test failed.
import { execa } from "execa";
import type { Argv, CommandModule } from "yargs";
import { buildRequested } from "./build.js";
import { evaluateTargets, type Evaluation, type RequestedTarget } from "./evaluation.js";
import { DriverFailure } from "./failure.js";
import { findProjectRoot } from "./root.js";

export const TESTS_FAILED_EXIT = 32;
const KEPT_ENV = ["PATH", "USER", "LOGNAME", "HOME", "TMPDIR", "XDG_RUNTIME_DIR"];

interface TestInfo {
  command: string[];
  env: Record<string, string>;
  inputs: string[];
}

interface TestArgs {
  targets: string[];
  verbose: boolean;
}

export interface TestOutcome {
  label: string;
  passed: boolean;
  exitCode: number;
  stdout: string;
  stderr: string;
}

function testInfoOf(t: RequestedTarget): TestInfo | undefined {
  return t.providers["ExternalRunnerTestInfo"] as TestInfo | undefined;
}

/** the environment Buck2's default test runner gives a test */
export function testEnv(info: TestInfo, from: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const k of KEPT_ENV) if (from[k] !== undefined) env[k] = from[k]!;
  return { ...env, ...info.env };
}

/** builds the inputs of every test command (the layers, the scripts, the runner) */
async function buildTestInputs(evaluation: Evaluation, tests: RequestedTarget[], verbose: boolean): Promise<void> {
  const needed = new Set(tests.flatMap((t) => testInfoOf(t)!.inputs));
  const producers = evaluation.actions.filter((a) => a.outputs.some((o) => needed.has(o.path))).map((a) => a.index);
  const targets = tests.map((t, i) => (i === 0 ? { ...t, build: [...t.build, ...producers.map((p) => ({ path: "", producer: p }))] } : t));
  await buildRequested(evaluation, targets, { verbose });
}

export async function runTests(root: string, patterns: string[], cwd: string, verbose = false): Promise<TestOutcome[]> {
  const evaluation = await evaluateTargets(root, patterns, cwd);
  const tests = evaluation.requested.filter((t) => testInfoOf(t) !== undefined);
  if (tests.length === 0) return [];
  await buildTestInputs(evaluation, tests, verbose);
  const outcomes: TestOutcome[] = [];
  for (const t of tests) {
    const info = testInfoOf(t)!;
    const [cmd, ...args] = info.command;
    const r = await execa(cmd!, args, { cwd: root, env: testEnv(info), extendEnv: false, reject: false, stdin: "ignore", stripFinalNewline: false });
    const exitCode = r.exitCode ?? 128;
    outcomes.push({ label: t.label, passed: exitCode === 0, exitCode, stdout: String(r.stdout ?? ""), stderr: String(r.stderr ?? "") });
  }
  return outcomes;
}

/** A test's result as Buck2's default runner prints it: the verdict, then its stdout and stderr, each section
 * ending in an empty line (Buck2 also prints the time taken; left out, so the output is deterministic). */
export function outcomeText(o: TestOutcome): string {
  const head = o.passed ? `✓ Pass: ${o.label}` : `✗ Fail: ${o.label} (exit code ${o.exitCode})`;
  const section = (name: string, text: string): string => `---- ${name} ----\n${text}${text.endsWith("\n") || text === "" ? "" : "\n"}\n`;
  return `${head}\n${section("STDOUT", o.stdout)}${section("STDERR", o.stderr)}`;
}

export function summary(outcomes: TestOutcome[]): string {
  const pass = outcomes.filter((o) => o.passed).length;
  return `Tests finished: Pass ${pass}. Fail ${outcomes.length - pass}. Fatal 0. Skip 0. Build failure 0`;
}

export const testCommand: CommandModule<object, TestArgs> = {
  command: "test <targets..>",
  describe: "build and run tests (like `buck2 test`): exit 32 when a test fails",
  builder: (y) =>
    y
      .positional("targets", { type: "string", array: true, demandOption: true })
      .option("verbose", { type: "boolean", default: false, describe: "print each action run or skipped" }) as Argv<TestArgs>,
  handler: async (args) => {
    try {
      const root = findProjectRoot(process.cwd());
      const outcomes = await runTests(root, args.targets, process.cwd(), args.verbose);
      if (outcomes.length === 0) {
        process.stderr.write("NO TESTS RAN\n");
        return;
      }
      for (const o of outcomes) process.stderr.write(outcomeText(o));
      process.stderr.write(summary(outcomes) + "\n");
      if (outcomes.some((o) => !o.passed)) process.exit(TESTS_FAILED_EXIT);
    } catch (e) {
      if (e instanceof DriverFailure) {
        process.stderr.write(e.text.endsWith("\n") ? e.text : e.text + "\n");
        process.exit(e.exitCode);
      }
      throw e;
    }
  },
};
