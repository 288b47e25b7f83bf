// Runs one strata command line as a request of the persistent worker: its own arguments, environment, working
// directory, output and cancellation signal (src/request-context.ts), a yargs parser of its own, and an exit code
// instead of process.exit. A failure of any kind (a user error, a bug, a rejected promise, an exception thrown
// later from a timer of this request) fails this request only.
import yargs, { type CommandModule } from "yargs";
import { StrataError } from "../errors.js";
import { withRequest, type RequestContext } from "../request-context.js";

/** a command the worker serves, loaded on first use (the table of commands is src/commands.ts) */
export type CommandLoader = () => Promise<CommandModule<object, never>>;

export interface Request {
  argv: string[];
  env: Record<string, string | undefined>;
  /** absolute */
  cwd: string;
  /** aborted by the caller to cancel the request */
  signal?: AbortSignal;
  /** the request fails with a timeout after this long */
  timeoutMs?: number;
}

export interface Response {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** set when the request was stopped by its timeout */
  timedOutAfterMs?: number;
  cancelled?: boolean;
}

class UsageError extends Error {}

/** the usage-help rendering yargs does after starting every handler costs ~40 ms and is never shown (see runner/main.ts) */
export function skipHelpCache(cli: unknown): void {
  type YargsInternals = { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } };
  const usage = (cli as YargsInternals).getInternalMethods?.().getUsageInstance?.();
  if (usage !== undefined && typeof usage.cacheHelpMessage === "function") usage.cacheHelpMessage = () => {};
}

async function parseAndRun(argv: string[], commands: Record<string, CommandLoader>): Promise<void> {
  const name = argv.find((a) => !a.startsWith("-"));
  const load = name !== undefined ? commands[name] : undefined;
  if (load === undefined) {
    throw new UsageError(
      name === undefined ? "no command given" : `the worker does not serve \`strata ${name}\`; it serves ${Object.keys(commands).join(", ")}`,
    );
  }
  const cli = yargs(argv)
    .scriptName("strata")
    .command(await load())
    .strict()
    .exitProcess(false)
    .help(false)
    .version(false)
    .fail((msg, err) => {
      throw err ?? new UsageError(msg ?? "invalid command line");
    });
  skipHelpCache(cli);
  await cli.parseAsync();
}

/** the text a failure leaves on the request's stderr, and its exit code (1: the user's error, 2: strata's) */
export function describeFailure(err: unknown): { text: string; exitCode: number } {
  if (err instanceof StrataError) return { text: err.message, exitCode: 1 };
  if (err instanceof UsageError) return { text: `error: ${err.message}\nrun \`strata --help\` for usage`, exitCode: 1 };
  const e = err instanceof Error ? err : new Error(String(err));
  return { text: `error: internal error in strata: ${e.message}\n${e.stack ?? ""}`, exitCode: 2 };
}

/** the failure reported for a request whose work threw outside its own promise chain (see server.ts) */
export interface Failable {
  fail(err: unknown): void;
}

const failables = new WeakMap<RequestContext, Failable>();

/** the request an uncaught exception or unhandled rejection belongs to, if it happened inside one */
export function failableOf(ctx: RequestContext | undefined): Failable | undefined {
  return ctx === undefined ? undefined : failables.get(ctx);
}

export async function executeRequest(req: Request, commands: Record<string, CommandLoader>): Promise<Response> {
  let stdout = "";
  let stderr = "";
  const abort = new AbortController();
  const onCallerAbort = () => abort.abort(new Error("the request was cancelled"));
  if (req.signal?.aborted) onCallerAbort();
  req.signal?.addEventListener("abort", onCallerAbort, { once: true });
  const ctx: RequestContext = {
    env: req.env,
    cwd: req.cwd,
    stdout: { write: (t: string) => void (stdout += t) },
    stderr: { write: (t: string) => void (stderr += t) },
    signal: abort.signal,
  };
  let settle!: (r: { ok: true } | { ok: false; err: unknown }) => void;
  const outcome = new Promise<{ ok: true } | { ok: false; err: unknown }>((r) => (settle = r));
  failables.set(ctx, { fail: (err) => settle({ ok: false, err }) });
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  if (req.timeoutMs !== undefined && req.timeoutMs > 0) {
    timer = setTimeout(() => {
      timedOut = true;
      abort.abort(new Error(`the request timed out after ${req.timeoutMs} ms`));
    }, req.timeoutMs);
  }
  const aborted = new Promise<{ ok: false; err: unknown }>((r) => {
    const onAbort = () => r({ ok: false, err: abort.signal.reason });
    if (abort.signal.aborted) onAbort();
    else abort.signal.addEventListener("abort", onAbort, { once: true });
  });
  void withRequest(ctx, () => parseAndRun(req.argv, commands)).then(
    () => settle({ ok: true }),
    (err: unknown) => settle({ ok: false, err }),
  );
  try {
    // a cancelled or timed-out request answers at once; what it was running stops at its next cancellation check
    const result = await Promise.race([outcome, aborted]);
    if (result.ok) return { exitCode: 0, stdout, stderr };
    if (abort.signal.aborted) {
      const why = timedOut ? `timed out after ${req.timeoutMs} ms` : "was cancelled";
      return {
        exitCode: 1,
        stdout,
        stderr: stderr + `error: strata ${req.argv[0] ?? ""} ${why}\n`,
        ...(timedOut ? { timedOutAfterMs: req.timeoutMs } : { cancelled: true }),
      };
    }
    const { text, exitCode } = describeFailure(result.err);
    return { exitCode, stdout, stderr: stderr + text + "\n" };
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    req.signal?.removeEventListener("abort", onCallerAbort);
  }
}
