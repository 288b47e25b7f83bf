// A client of the persistent worker, and a worker started for one build: the local driver's executor sends the
// runner's actions to it exactly as Buck2 does, over the worker's unix socket.
import * as grpc from "@grpc/grpc-js";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { socketAddress, workerPackage, type ExecuteCommand, type ExecuteResponse } from "./protocol.js";

export interface WorkerClient {
  execute(argv: string[], env: Record<string, string>, opts?: { timeoutS?: number; signal?: AbortSignal }): Promise<ExecuteResponse>;
  close(): void;
}

export function connectWorker(socketPath: string): WorkerClient {
  const Ctor = workerPackage().worker.Worker;
  const client = new Ctor(socketAddress(socketPath), grpc.credentials.createInsecure()) as unknown as grpc.Client & {
    Execute(req: ExecuteCommand, cb: (err: grpc.ServiceError | null, res?: ExecuteResponse) => void): grpc.ClientUnaryCall;
  };
  return {
    execute: (argv, env, opts = {}) =>
      new Promise<ExecuteResponse>((resolve, reject) => {
        const req: ExecuteCommand = {
          argv: argv.map((a) => Buffer.from(a)),
          env: Object.entries(env).map(([k, v]) => ({ key: Buffer.from(k), value: Buffer.from(v) })),
          ...(opts.timeoutS !== undefined ? { timeout_s: opts.timeoutS } : {}),
        };
        const call = client.Execute(req, (err, res) => (err ? reject(err) : resolve(res!)));
        opts.signal?.addEventListener("abort", () => call.cancel(), { once: true });
      }),
    close: () => client.close(),
  };
}

export interface StartedWorker {
  client: WorkerClient;
  /** the worker process's own stderr so far (its log, and any crash) */
  log(): string;
  stop(): Promise<void>;
}

/** starts `command` (the runner's fallback command: node and bin/strata.mjs) as a worker in `cwd`, and connects to it */
export async function startWorker(command: string[], opts: { cwd: string; env: Record<string, string> }): Promise<StartedWorker> {
  const dir = mkdtempSync(join(tmpdir(), "strata-worker-"));
  const socket = join(dir, "socket");
  const child: ChildProcess = spawn(command[0]!, [...command.slice(1), "worker"], {
    cwd: opts.cwd,
    env: { ...opts.env, WORKER_SOCKET: socket },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  child.stderr!.setEncoding("utf8").on("data", (t: string) => void (log = (log + t).slice(-65536)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const client = connectWorker(socket);
  const stop = async () => {
    client.close();
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const probe = new grpc.Client(socketAddress(socket), grpc.credentials.createInsecure());
      const gone = () => reject(new Error(`the strata worker exited before it served: ${log.trim()}`));
      child.once("exit", gone);
      probe.waitForReady(Date.now() + 30_000, (err) => {
        child.off("exit", gone);
        probe.close();
        if (err) reject(new Error(`the strata worker did not start serving within 30 s: ${err.message}\n${log.trim()}`));
        else resolve();
      });
    });
  } catch (e) {
    await stop();
    throw e;
  }
  return { client, log: () => log, stop };
}
