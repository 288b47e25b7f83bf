// `strata unshare -- CMD...`: runs CMD inside strata's user namespace (podman unshare's counterpart). The entry
// (runner/main.ts) has already entered it for an ordinary user, so this only runs the command: as uid 0 there, with
// the ids the layers of a rootless working volume hold (files owned by subordinate ids can be removed, ownership
// reads as in the image). Real Buck2 runs rootless this way: its file watcher follows the layer symlinks in
// buck-out into directories only the namespace can read.
import { execFileSync, spawn } from "node:child_process";
import { accessSync, constants, existsSync } from "node:fs";
import type { ArgumentsCamelCase, Argv, CommandModule } from "yargs";
import { StrataError } from "../errors.js";
import { signalExitCode } from "../isolation/run.js";

/**
 * Buck2 puts its persistent workers' sockets under a fixed /tmp/buck2_worker, shared by every user of the machine:
 * when another user made it, a Buck2 daemon started here could not start a worker. Inside this process's own mount
 * namespace an empty tmpfs takes its place.
 */
function privateBuck2WorkerDir(): void {
  if (!existsSync(BUCK2_WORKER_DIR)) return;
  try {
    accessSync(BUCK2_WORKER_DIR, constants.W_OK);
    return;
  } catch {
    /* not ours */
  }
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "mode=1777", "strata-buck2-worker", BUCK2_WORKER_DIR], { stdio: "ignore" });
  } catch {
    /* not in a mount namespace of our own (root): leave it */
  }
}

const BUCK2_WORKER_DIR = "/tmp/buck2_worker";

export const unshareCommand: CommandModule<object, object> = {
  command: "unshare",
  builder: (y: Argv) => y.parserConfiguration({ "populate--": true }).usage("strata unshare -- CMD [ARG...]"),
  handler: async (argv: ArgumentsCamelCase<object>) => {
    const cmd = ((argv as { "--"?: unknown[] })["--"] ?? []).map(String);
    if (cmd.length === 0) {
      throw new StrataError({ label: "strata unshare", message: "no command to run", expected: "strata unshare -- CMD [ARG...]", found: "nothing after --" });
    }
    privateBuck2WorkerDir();
    const child = spawn(cmd[0]!, cmd.slice(1), { stdio: "inherit" });
    const code = await new Promise<number>((resolve, reject) => {
      child.on("error", (e) => reject(new StrataError({ label: "strata unshare", message: `cannot run ${cmd[0]}: ${e.message}` })));
      child.on("close", (c, s) => resolve(c ?? (s !== null ? signalExitCode(s) : 128)));
    });
    process.exit(code);
  },
};
