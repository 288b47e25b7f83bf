// `strata unshare -- CMD...`: runs CMD inside strata's user namespace (podman unshare's counterpart). The entry
// (runner/main.ts) has already entered it for an ordinary user, so this only runs the command: as uid 0 there, with
// the ids the layers of a rootless working volume hold (files owned by subordinate ids can be removed, ownership
// reads as in the image).
import { spawn } from "node:child_process";
import type { ArgumentsCamelCase, Argv, CommandModule } from "yargs";
import { StrataError } from "../errors.js";
import { COMMAND_DESCRIPTIONS } from "./descriptions.js";
import { signalExitCode } from "../isolation/run.js";

export const unshareCommand: CommandModule<object, object> = {
  command: "unshare",
  describe: COMMAND_DESCRIPTIONS.unshare,
  builder: (y: Argv) => y.parserConfiguration({ "populate--": true }).usage("strata unshare -- CMD [ARG...]"),
  handler: async (argv: ArgumentsCamelCase<object>) => {
    const cmd = ((argv as { "--"?: unknown[] })["--"] ?? []).map(String);
    if (cmd.length === 0) {
      throw new StrataError({ label: "strata unshare", message: "no command to run", expected: "strata unshare -- CMD [ARG...]", found: "nothing after --" });
    }
    const child = spawn(cmd[0]!, cmd.slice(1), { stdio: "inherit" });
    const code = await new Promise<number>((resolve, reject) => {
      child.on("error", (e) => reject(new StrataError({ label: "strata unshare", message: `cannot run ${cmd[0]}: ${e.message}` })));
      child.on("close", (c, s) => resolve(c ?? (s !== null ? signalExitCode(s) : 128)));
    });
    process.exit(code);
  },
};
