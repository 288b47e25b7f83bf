// The persistent worker's gRPC server: serves Buck2's worker protocol (protocol.ts) on a unix socket and runs each
// request with executeRequest. Requests run concurrently, each in its own context; a request that fails, throws
// later from a timer, or leaves a promise rejected fails alone, and the server keeps serving.
import * as grpc from "@grpc/grpc-js";
import { rmSync } from "node:fs";
import { currentRequest } from "../request-context.js";
import { executeRequest, failableOf, type CommandLoader, type Response } from "./execute.js";
import {
  socketAddress,
  workerPackage,
  type ExecuteCommand,
  type ExecuteCommandStream,
  type ExecuteEvent,
  type ExecuteResponse,
  type ExecuteResponseStream,
} from "./protocol.js";

export interface ServeOptions {
  /** the environment each request starts from; its own entries are laid over it */
  env: Record<string, string | undefined>;
  /** the directory requests run in (the protocol carries none: Buck2 starts the worker in the project root) */
  cwd: string;
  /** one line per finished request (for the worker's log) */
  log?: (line: string) => void;
  commands: Record<string, CommandLoader>;
}

export interface WorkerServer {
  /** requests answered so far */
  readonly served: number;
  close(): Promise<void>;
}

function toResponse(r: Response): ExecuteResponse {
  // the protocol has only stderr: what a command printed on stdout goes there too
  const out: ExecuteResponse = { exit_code: r.exitCode, stderr: r.stdout + r.stderr };
  if (r.timedOutAfterMs !== undefined) out.timed_out_after_s = Math.max(1, Math.round(r.timedOutAfterMs / 1000));
  return out;
}

/** routes an exception thrown (or a rejection left unhandled) by a request's own work to that request */
let routed = false;
function routeStrayFailures(log: (line: string) => void): void {
  if (routed) return;
  routed = true;
  let reporting = false;
  const onStray = (err: unknown) => {
    const target = failableOf(currentRequest());
    if (target !== undefined) return target.fail(err);
    if (reporting) return; // an error while reporting one is not reported again
    reporting = true;
    try {
      log(`strata worker: error outside any request: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    } catch {
      /* nowhere left to report it */
    } finally {
      reporting = false;
    }
  };
  process.on("uncaughtException", onStray);
  process.on("unhandledRejection", onStray);
}

export async function serveWorker(socketPath: string, opts: ServeOptions): Promise<WorkerServer> {
  const log = opts.log ?? (() => {});
  routeStrayFailures(log);
  let served = 0;
  let nextId = 0;
  const run = async (cmd: ExecuteCommand, signal: AbortSignal): Promise<ExecuteResponse> => {
    const id = ++nextId;
    const argv = cmd.argv.map((b) => b.toString("utf8"));
    const env: Record<string, string | undefined> = { ...opts.env };
    for (const e of cmd.env) env[e.key.toString("utf8")] = e.value.toString("utf8");
    const started = performance.now();
    const r = await executeRequest(
      { argv, env, cwd: opts.cwd, signal, timeoutMs: cmd.timeout_s ? cmd.timeout_s * 1000 : undefined },
      opts.commands,
    );
    served++;
    const how = r.timedOutAfterMs !== undefined ? "timed out" : r.cancelled ? "cancelled" : `exit ${r.exitCode}`;
    log(`strata worker: request ${id} (${argv.slice(0, 1).join(" ")}) ${how} in ${(performance.now() - started).toFixed(1)} ms`);
    return toResponse(r);
  };

  const pkg = workerPackage().worker;
  const server = new grpc.Server();
  server.addService(pkg.Worker.service, {
    Execute: (call: grpc.ServerUnaryCall<ExecuteCommand, ExecuteResponse>, callback: grpc.sendUnaryData<ExecuteResponse>) => {
      const abort = new AbortController();
      // Buck2 drops the call when it cancels the action
      call.on("cancelled", () => abort.abort());
      run(call.request, abort.signal).then(
        (r) => callback(null, r),
        (e: unknown) => callback({ code: grpc.status.INTERNAL, details: String(e) }),
      );
    },
    Exec: (call: grpc.ServerReadableStream<ExecuteEvent, ExecuteResponse>, callback: grpc.sendUnaryData<ExecuteResponse>) => {
      const abort = new AbortController();
      let started = false;
      call.on("cancelled", () => abort.abort());
      call.on("data", (ev: ExecuteEvent) => {
        if (ev.cancel !== undefined && ev.cancel !== null) abort.abort();
        else if (ev.command !== undefined && ev.command !== null && !started) {
          started = true;
          run(ev.command, abort.signal).then(
            (r) => callback(null, r),
            (e: unknown) => callback({ code: grpc.status.INTERNAL, details: String(e) }),
          );
        }
      });
      call.on("end", () => {
        if (!started) callback({ code: grpc.status.INVALID_ARGUMENT, details: "Exec: the stream ended without a command" });
      });
    },
  });
  server.addService(pkg.WorkerStreaming.service, {
    ExecuteStream: (call: grpc.ServerDuplexStream<ExecuteCommandStream, ExecuteResponseStream>) => {
      const abort = new AbortController();
      call.on("cancelled", () => abort.abort());
      let open = 0;
      let ended = false;
      call.on("data", (msg: ExecuteCommandStream) => {
        open++;
        run(msg.request ?? { argv: [], env: [] }, abort.signal)
          .catch((e: unknown): ExecuteResponse => ({ exit_code: 2, stderr: `error: internal error in strata: ${String(e)}\n` }))
          .then((response) => {
            call.write({ response, id: msg.id });
            if (--open === 0 && ended) call.end();
          });
      });
      call.on("end", () => {
        ended = true;
        if (open === 0) call.end();
      });
    },
  });

  rmSync(socketPath, { force: true });
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(socketAddress(socketPath), grpc.ServerCredentials.createInsecure(), (err) => (err ? reject(err) : resolve())),
  );
  return {
    get served() {
      return served;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
      }),
  };
}
