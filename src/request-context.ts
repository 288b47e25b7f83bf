// What one command invocation sees of its surroundings: environment, working directory, output streams and a
// cancellation signal. A one-shot `strata` process has exactly one invocation, so outside a request these are the
// process's own. The persistent worker (src/worker/) runs many invocations at once in one process, each inside
// `withRequest`, and AsyncLocalStorage carries each one's context through every await of its own work. Code on a
// request path reads these instead of process.env, process.cwd() and process.stderr.
import { AsyncLocalStorage } from "node:async_hooks";

export interface OutputSink {
  write(text: string): void;
}

export interface RequestContext {
  env: Readonly<Record<string, string | undefined>>;
  /** absolute; relative paths of the request resolve against it */
  cwd: string;
  stdout: OutputSink;
  stderr: OutputSink;
  /** aborted when the request is cancelled or times out */
  signal?: AbortSignal;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function withRequest<T>(ctx: RequestContext, fn: () => Promise<T>): Promise<T> {
  return storage.run(ctx, fn);
}

export function currentRequest(): RequestContext | undefined {
  return storage.getStore();
}

export function requestEnv(): Readonly<Record<string, string | undefined>> {
  return storage.getStore()?.env ?? process.env;
}

export function requestCwd(): string {
  return storage.getStore()?.cwd ?? process.cwd();
}

export function requestStdout(): OutputSink {
  return storage.getStore()?.stdout ?? process.stdout;
}

export function requestStderr(): OutputSink {
  return storage.getStore()?.stderr ?? process.stderr;
}

/** throws the abort reason when the current request was cancelled or timed out; a no-op outside requests */
export function throwIfCancelled(): void {
  storage.getStore()?.signal?.throwIfAborted();
}
