// `strata compile`: builds one phase of a layer and publishes it at OUT.
import { resolve } from "node:path";
import type { ArgumentsCamelCase, Argv, CommandModule } from "yargs";
import { requestCwd } from "../request-context.js";

import { BUILD_PHASES as PHASES } from "../features/phases.js";

interface CompileArgs {
  label: string;
  phase: string;
  features: string;
  out: string;
  parent?: string;
  "working-volume"?: string;
  "facts-out"?: string;
  backend?: string;
}

export const compileCommand: CommandModule<object, CompileArgs> = {
  command: "compile",
  builder: (y: Argv) =>
    y
      .option("label", { type: "string", demandOption: true, describe: "Buck2 label of the layer (for messages)" })
      .option("phase", { type: "string", demandOption: true, choices: PHASES, describe: "the build phase" })
      .option("features", { type: "string", demandOption: true, describe: "features file (JSON array)" })
      .option("out", { type: "string", demandOption: true, describe: "output: becomes a symlink to the published layer" })
      .option("parent", { type: "string", describe: "the parent layer's output symlink" })
      .option("working-volume", { type: "string", describe: "where layers are stored (default $STRATA_WORKING_VOLUME or ./strata-out)" })
      .option("facts-out", { type: "string", describe: "also write the layer's facts as one JSON document here" })
      .option("backend", { type: "string", choices: ["auto", "btrfs", "copy"], describe: "storage backend (default $STRATA_BACKEND or auto)" }) as unknown as Argv<CompileArgs>,
  handler: async (argv: ArgumentsCamelCase<CompileArgs>) => {
    // loaded on use: every strata command pays for what the command line imports at start-up
    const { compilePhase } = await import("../compile.js");
    // paths are the request's (the persistent worker serves many, each with its own directory)
    const cwd = requestCwd();
    const at = (p: string | undefined) => (p === undefined ? undefined : resolve(cwd, p));
    await compilePhase({
      label: argv.label,
      phase: argv.phase,
      features: at(argv.features)!,
      out: at(argv.out)!,
      parent: at(argv.parent),
      workingVolume: at(argv["working-volume"]),
      factsOut: at(argv["facts-out"]),
      projectRoot: cwd,
      backend: argv.backend,
    });
  },
};
