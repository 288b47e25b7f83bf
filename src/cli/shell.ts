// `strata shell`: an interactive shell in a throwaway snapshot of a layer (the `[container]` sub-target).
import type { ArgumentsCamelCase, Argv, CommandModule } from "yargs";
import { runIsolated } from "../isolation/index.js";
import { withThrowawaySnapshot } from "../isolation/throwaway.js";

interface ShellArgs {
  layer: string;
  user: string;
  label: string;
  cmd?: (string | number)[];
  "--"?: (string | number)[];
}

export const shellCommand: CommandModule<object, ShellArgs> = {
  command: "shell [cmd..]",
  builder: (y: Argv) =>
    y
      .parserConfiguration({ "populate--": true })
      .positional("cmd", { type: "string", array: true, describe: "command to run instead of /bin/sh (also after `--`)" })
      .option("layer", { type: "string", demandOption: true, describe: "the layer's output symlink" })
      .option("user", { type: "string", default: "root", describe: "user of the image to run as" })
      .option("label", { type: "string", default: "shell", describe: "Buck2 label of the layer (for messages)" }) as unknown as Argv<ShellArgs>,
  handler: async (argv: ArgumentsCamelCase<ShellArgs>) => {
    const cmd = [...(argv.cmd ?? []), ...(argv["--"] ?? [])].map(String);
    process.exitCode = await withThrowawaySnapshot(argv.layer, argv.label, async ({ root, layerMounts }) => {
      const r = await runIsolated({ root, writable: true, user: argv.user, argv: cmd.length > 0 ? cmd : ["/bin/sh"], layerMounts, interactive: true, label: argv.label });
      return r.exitCode;
    });
  },
};
