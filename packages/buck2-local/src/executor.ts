// Runs the action graph: dependency order, at most `jobs` actions at once, skipping actions whose key is unchanged
// and whose outputs exist. Each action runs as Buck2 runs a local action (cwd = project root, scratch dir, old
// outputs deleted, the driver's environment minus the Python/loader variables Buck2 strips).
import { execa } from "execa";
import { createHash } from "node:crypto";
import { chmod, cp, lstat, mkdir, rename, rm, symlink, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, relative } from "node:path";
import { ActionCache } from "./action-cache.js";
import { BuildInputs } from "./digest.js";
import { actionSchema, trace, type Action, type Evaluation } from "./evaluation.js";
import { ActionFailures, DriverFailure } from "./failure.js";

const STRIPPED_ENV = ["PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "LD_LIBRARY_PATH", "LD_PRELOAD"];

export interface RunOptions {
  jobs?: number;
  verbose?: boolean;
  log?: (line: string) => void;
  /** like `buck2 build --keep-going`: after a failure, still run every action whose inputs could be built */
  keepGoing?: boolean;
  progress?: { started(a: Action): void; finished(a: Action): void };
  /** where run actions may go instead of a plain command (default: the one set by setActionRunner, if any) */
  actionRunner?: ActionRunnerFactory | null;
}

/** The result of a run action that an ActionRunner took. */
export interface ActionRunResult {
  exitCode: number;
  stderr: string;
}

/**
 * A hook for run actions, like Buck2's persistent workers: the embedding tool (e.g. one that sends its own
 * commands to a long-lived process) may answer an action; undefined means "not mine", and the action runs as a
 * plain command. One runner per build: made at its start, stopped at its end.
 */
export interface ActionRunner {
  run(argv: string[], env: Record<string, string>): Promise<ActionRunResult | undefined>;
  stop(): Promise<void>;
  /** how many actions it answered */
  readonly served: number;
  /** what to call it in the verbose report */
  readonly name?: string;
}

export type ActionRunnerFactory = (root: string, env: Record<string, string>, log: (line: string) => void) => ActionRunner;

let defaultActionRunner: ActionRunnerFactory | null = null;

/** sets the ActionRunner every build of this process uses unless its RunOptions say otherwise (null: none) */
export function setActionRunner(factory: ActionRunnerFactory | null): void {
  defaultActionRunner = factory;
}

export interface RunReport {
  ran: string[];
  skipped: string[];
  /** how many of the actions that ran went to the ActionRunner */
  onWorker?: number;
}

export function actionName(a: Action): string {
  return `${a.owner} (${a.category}${a.identifier !== null ? ` ${a.identifier}` : ""})`;
}

function cacheId(a: Action): string {
  return `${a.owner}\0${a.category}\0${a.identifier ?? ""}`;
}

/** The actions needed to produce `paths` (producers of the paths and, transitively, of their inputs). */
export function actionsFor(evaluation: Evaluation, producers: (number | null)[]): Action[] {
  const needed = new Set<number>();
  const stack = producers.filter((p): p is number => p !== null);
  while (stack.length > 0) {
    const i = stack.pop()!;
    if (needed.has(i)) continue;
    needed.add(i);
    for (const inp of evaluation.actions[i]!.inputs) if (inp.producer !== null) stack.push(inp.producer);
  }
  return [...needed].sort((a, b) => a - b).map((i) => evaluation.actions[i]!);
}

async function exists(p: string): Promise<boolean> {
  try {
    await lstat(p);
    return true;
  } catch {
    return false;
  }
}

const KEY_FIELDS = Object.keys(actionSchema.shape).filter((k): k is Exclude<keyof Action, "index" | "inputs"> => k !== "index" && k !== "inputs");

async function actionKey(digests: BuildInputs, a: Action): Promise<string> {
  const inputs: [string, string][] = [];
  for (const inp of a.inputs) inputs.push([inp.path, await digests.digest(inp.path, inp.producer !== null)]);
  // the action's fields in the schema's order, whether the action came from the schema or from the evaluation cache
  const fields: Record<string, unknown> = {};
  for (const k of KEY_FIELDS) fields[k] = k === "outputs" ? a.outputs.map((o) => ({ path: o.path, dir: o.dir })) : a[k];
  return createHash("sha256").update(JSON.stringify({ ...fields, inputs })).digest("hex");
}

function scratchDir(a: Action): string {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9_.-]+/g, "_");
  return join("buck-out", "v2", "tmp", clean(a.owner), clean(a.category), clean(a.identifier ?? "_"));
}

async function execute(root: string, a: Action, workers: ActionRunner | undefined, verbose: boolean): Promise<void> {
  for (const o of a.outputs) {
    const abs = join(root, o.path);
    if (!a.no_outputs_cleanup) await rm(abs, { recursive: true, force: true });
    await mkdir(dirname(abs), { recursive: true });
  }
  const out = a.outputs[0]!;
  const outAbs = join(root, out.path);
  switch (a.kind) {
    case "write":
      await writeFile(outAbs, a.content ?? "");
      if (a.is_executable) await chmod(outAbs, 0o755);
      return;
    case "copy":
      await cp(join(root, a.src!), outAbs, { recursive: true, verbatimSymlinks: true });
      return;
    case "symlink":
      await symlink(relative(dirname(outAbs), join(root, a.src!)), outAbs);
      return;
    case "download":
      return download(a, outAbs);
    case "run":
      return runCommand(root, a, workers, verbose);
  }
}

/** Downloads pinned by sha256 are kept by digest, so every project on this machine fetches each file once. */
function downloadCacheDir(): string {
  return process.env.STRATA_DOWNLOAD_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "strata", "downloads");
}

async function download(a: Action, outAbs: string): Promise<void> {
  const cached = a.sha256 ? join(downloadCacheDir(), a.sha256.toLowerCase()) : undefined;
  if (cached !== undefined && existsSync(cached)) {
    await cp(cached, outAbs);
    if (a.is_executable) await chmod(outAbs, 0o755);
    return;
  }
  await downloadFresh(a, outAbs);
  if (cached !== undefined) {
    await mkdir(dirname(cached), { recursive: true });
    const tmp = `${cached}.${process.pid}.tmp`;
    await cp(outAbs, tmp);
    await rename(tmp, cached);
  }
}

async function downloadFresh(a: Action, outAbs: string): Promise<void> {
  const res = await fetch(a.url!);
  if (!res.ok) throw new DriverFailure(`error: ${a.owner}: download of ${a.url} failed: HTTP ${res.status}`);
  const body = Buffer.from(await res.arrayBuffer());
  const [algo, want] = a.sha256 ? ["sha256", a.sha256] : ["sha1", a.sha1!];
  const got = createHash(algo).update(body).digest("hex");
  if (got !== want.toLowerCase()) {
    throw new DriverFailure(`error: ${a.owner}: download of ${a.url} has the wrong ${algo}\n  expected: ${want}\n  found:    ${got}`);
  }
  await writeFile(outAbs, body);
  if (a.is_executable) await chmod(outAbs, 0o755);
}

function driverEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !STRIPPED_ENV.includes(k)) env[k] = v;
  return env;
}

/** The failed action's command line, with --verbose only: an error of the action is what the user reads first. */
function commandLine(a: Action, verbose: boolean): string {
  return verbose ? `\n  command: ${JSON.stringify(a.argv)}` : "";
}

async function runCommand(root: string, a: Action, workers: ActionRunner | undefined, verbose: boolean): Promise<void> {
  const scratch = scratchDir(a);
  await rm(join(root, scratch), { recursive: true, force: true });
  await mkdir(join(root, scratch), { recursive: true });
  // as Buck2 does: the worker gets the action's own environment on top of the one it was started with
  const actionEnv = { ...a.env, BUCK_SCRATCH_PATH: scratch, TMPDIR: join(root, scratch) };
  const onWorker = await workers?.run(a.argv!, actionEnv);
  if (onWorker !== undefined) {
    if (onWorker.exitCode !== 0) {
      const text = onWorker.stderr.trimEnd();
      throw new DriverFailure(`${text ? text + "\n" : ""}Action failed: ${actionName(a)}: exit code ${onWorker.exitCode}${commandLine(a, verbose)}`);
    }
    return;
  }
  const env = { ...driverEnv(), ...actionEnv };
  const [cmd, ...args] = a.argv!;
  const r = await execa(cmd!, args, { cwd: root, env, extendEnv: false, reject: false, stdin: "ignore", all: false });
  if (r.exitCode !== 0 || r.failed) {
    const text = [r.stderr, r.stdout].filter((s) => s && s.length > 0).join("\n");
    const why = r.exitCode !== undefined ? `exit code ${r.exitCode}` : r.shortMessage;
    throw new DriverFailure(`${text ? text + "\n" : ""}Action failed: ${actionName(a)}: ${why}${commandLine(a, verbose)}`);
  }
}

/** Runs `actions` (a closed set: every producer an action needs is in it) and returns what ran and what was skipped. */
export async function runActions(root: string, actions: Action[], opts: RunOptions = {}): Promise<RunReport> {
  const jobs = Math.max(1, opts.jobs ?? 2);
  const log = opts.log ?? ((l: string) => process.stderr.write(l + "\n"));
  const cache = new ActionCache(root);
  const digests = new BuildInputs(root);
  const factory = opts.actionRunner === undefined ? defaultActionRunner : opts.actionRunner;
  const workers = factory !== null ? factory(root, driverEnv(), log) : undefined;
  const report: RunReport = { ran: [], skipped: [] };
  const byIndex = new Map(actions.map((a) => [a.index, a]));
  const pending = new Map<number, Set<number>>();
  for (const a of actions) {
    pending.set(a.index, new Set(a.inputs.map((i) => i.producer).filter((p): p is number => p !== null && byIndex.has(p))));
  }
  const done = new Set<number>();
  const running = new Map<number, Promise<void>>();
  const failures: unknown[] = [];
  const failed = new Set<number>();

  // A hit is checked without the lock first: a process running the action has removed its record before touching
  // its outputs, so a hit seen here is as sound as one seen under the lock. A miss is checked again under the lock,
  // where another process may have run the action meanwhile.
  const runOne = async (a: Action): Promise<void> => {
    const key = await actionKey(digests, a);
    const outputs = a.outputs.map((o) => o.path);
    if (await cache.hit(cacheId(a), key, outputs, digests.store)) return skipped(a);
    await cache.withLock(cacheId(a), () => runLocked(a, key, outputs));
  };
  const skipped = (a: Action): void => {
    report.skipped.push(actionName(a));
    if (opts.verbose) log(`skipped ${actionName(a)}`);
  };
  const runLocked = async (a: Action, key: string, outputs: string[]): Promise<void> => {
    if (await cache.hit(cacheId(a), key, outputs, digests.store)) return skipped(a);
    if (opts.verbose) log(`running ${actionName(a)}`);
    cache.invalidate(cacheId(a));
    for (const o of outputs) digests.forget(o);
    await execute(root, a, workers, opts.verbose ?? false);
    const missing = [];
    for (const o of a.outputs) if (!(await exists(join(root, o.path)))) missing.push(o.path);
    if (missing.length > 0) {
      throw new DriverFailure(`error: ${a.owner}: action did not produce its declared outputs: ${missing.join(", ")}\nAction failed: ${actionName(a)}`);
    }
    await cache.record(cacheId(a), key, outputs);
    report.ran.push(actionName(a));
  };

  const started = performance.now();
  try {
    await schedule();
  } finally {
    await workers?.stop();
    digests.save();
  }
  trace(`actions: ${report.ran.length} ran, ${report.skipped.length} skipped: ${Math.round(performance.now() - started)} ms`);
  if (workers !== undefined) {
    report.onWorker = workers.served;
    if (opts.verbose) log(`${workers.served} of ${report.ran.length} actions ran on the ${workers.name ?? "action runner"}`);
  }
  if (failures.length > 0) throw ActionFailures.of(failures, done);
  if (done.size < actions.length) throw new DriverFailure("error: internal error: the action graph has a cycle or a missing producer", 2);
  return report;

  async function schedule(): Promise<void> {
    while (done.size < actions.length) {
      if (failures.length === 0 || opts.keepGoing) {
        for (const a of actions) {
          if (running.size >= jobs) break;
          if (done.has(a.index) || running.has(a.index) || failed.has(a.index)) continue;
          if ([...pending.get(a.index)!].some((p) => !done.has(p))) continue;
          opts.progress?.started(a);
          const p = runOne(a).then(
            () => {
              done.add(a.index);
              running.delete(a.index);
              opts.progress?.finished(a);
            },
            (e: unknown) => {
              failures.push(e);
              failed.add(a.index);
              running.delete(a.index);
              opts.progress?.finished(a);
            },
          );
          running.set(a.index, p);
        }
      }
      if (running.size === 0) break;
      await Promise.race(running.values());
    }
  }
}
