// The local driver's persistent worker: one `strata worker` per build, started on the first runner action, that
// runs the strata runner's actions (compile, depgraph, facts) as Buck2 does with a WorkerRunInfo on a platform with
// persistent workers. Any other command, or a worker that cannot start, runs as the plain command.
import { basename } from "node:path";
import { startWorker, type StartedWorker } from "../worker/client.js";
import type { ActionRunResult, ActionRunner } from "../../packages/buck2-local/src/index.js";

export type WorkerResult = ActionRunResult;

/** `node .../bin/strata.mjs <command> ...` for a command the worker serves: the runner's part of the argv, else undefined */
export function runnerCommand(argv: string[], served: ReadonlySet<string>): { runner: string[]; args: string[] } | undefined {
  if (argv.length < 3 || basename(argv[1]!) !== "strata.mjs") return undefined;
  if (!served.has(argv[2]!)) return undefined;
  return { runner: argv.slice(0, 2), args: argv.slice(2) };
}

export class RunnerWorkers implements ActionRunner {
  readonly name = "persistent strata worker";
  private started = new Map<string, Promise<StartedWorker | undefined>>();
  /** requests answered by a worker (for reports and tests) */
  served = 0;

  constructor(
    private readonly root: string,
    private readonly env: Record<string, string>,
    private readonly log: (line: string) => void,
    /** the commands the worker serves */
    private readonly workerCommands: ReadonlySet<string>,
  ) {}

  private worker(runner: string[]): Promise<StartedWorker | undefined> {
    const key = JSON.stringify(runner);
    let w = this.started.get(key);
    if (w === undefined) {
      w = startWorker(runner, { cwd: this.root, env: this.env }).catch((e: unknown) => {
        this.log(`strata worker did not start; running the runner's actions as plain commands: ${(e as Error).message}`);
        return undefined;
      });
      this.started.set(key, w);
    }
    return w;
  }

  /** runs a runner action on the worker; undefined when it is not one, or there is no worker to run it */
  async run(argv: string[], env: Record<string, string>): Promise<WorkerResult | undefined> {
    const cmd = runnerCommand(argv, this.workerCommands);
    if (cmd === undefined) return undefined;
    const w = await this.worker(cmd.runner);
    if (w === undefined) return undefined;
    let r;
    try {
      r = await w.client.execute(cmd.args, env);
    } catch (e) {
      // the worker died or the call broke: the action itself never ran to an answer, so it runs as a plain command
      this.log(`strata worker failed (${(e as Error).message}); running the action as a plain command\n${w.log().trim()}`);
      return undefined;
    }
    this.served++;
    return { exitCode: r.exit_code, stderr: r.stderr };
  }

  async stop(): Promise<void> {
    const all = await Promise.all(this.started.values());
    await Promise.all(all.map((w) => w?.stop()));
    this.started.clear();
  }
}
