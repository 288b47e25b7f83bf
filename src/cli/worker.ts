// `strata worker`: serves Buck2's persistent-worker protocol on the unix socket named by WORKER_SOCKET, running
// the actions' commands (compile, depgraph, facts) in this one process instead of starting Node for each.
import type { ArgumentsCamelCase, Argv, CommandModule } from "yargs";
import { StrataError } from "../errors.js";
import type { CommandLoader } from "../worker/execute.js";

interface WorkerArgs {
  socket?: string;
}

/** `strata worker`, serving `served` (the command table's worker commands, src/commands.ts) */
export const workerCommand = (served: Record<string, CommandLoader>): CommandModule<object, WorkerArgs> => ({
  command: "worker",
  builder: (y: Argv) =>
    y.option("socket", { type: "string", describe: "the unix socket to serve on (default $WORKER_SOCKET, which Buck2 sets)" }) as unknown as Argv<WorkerArgs>,
  handler: async (argv: ArgumentsCamelCase<WorkerArgs>) => {
    // read once at start-up: each request brings its own environment on top of this one
    const socket = argv.socket ?? process.env.WORKER_SOCKET;
    if (socket === undefined || socket === "") {
      throw new StrataError({
        label: "strata worker",
        message: "no socket to serve on",
        expected: "WORKER_SOCKET set (Buck2 sets it when it starts a persistent worker) or --socket PATH",
        found: "neither",
      });
    }
    const { serveWorker } = await import("../worker/server.js");
    // Buck2 sends the worker's stderr to a log file; if it goes away, logging must not become an error of its own
    // (the worker reports stray errors on stderr, and a write error would be one)
    process.stderr.on("error", () => {});
    const log = (line: string) => process.stderr.write(line + "\n");
    const server = await serveWorker(socket, { env: { ...process.env }, cwd: process.cwd(), commands: served, log });
    log(`strata worker: serving on ${socket} (pid ${process.pid})`);
    // load the commands' code while Buck2 connects: the first request need not wait for it
    for (const load of Object.values(served)) void load().catch(() => {});
    await new Promise<void>((resolve) => {
      process.once("SIGTERM", resolve);
      process.once("SIGINT", resolve);
      // a worker whose parent (Buck2's process, or the local driver) died without stopping it stops by itself
      const parent = process.ppid;
      setInterval(() => process.ppid !== parent && resolve(), 1000).unref();
    });
    await server.close();
    log(`strata worker: stopped after ${server.served} requests`);
  },
});
