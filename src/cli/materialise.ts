// `strata materialise`: the local layer of a phase, from its parent's layer and the phase's diff (src/portable/materialise.ts).
import { resolve } from "node:path";
import type { ArgumentsCamelCase, Argv, CommandModule } from "yargs";
import { requestCwd } from "../request-context.js";

interface MaterialiseArgs {
  label: string;
  key: string;
  diff: string;
  record: string;
  parent?: string;
  "parent-key"?: string;
  out: string;
  "working-volume"?: string;
}

export const materialiseCommand: CommandModule<object, MaterialiseArgs> = {
  command: "materialise",
  builder: (y: Argv) =>
    y
      .option("label", { type: "string", demandOption: true, describe: "Buck2 label of the layer (for messages)" })
      .option("key", { type: "string", demandOption: true, describe: "the phase's key file" })
      .option("diff", { type: "string", demandOption: true, describe: "the phase's diff tar" })
      .option("record", { type: "string", demandOption: true, describe: "the phase's record" })
      .option("parent", { type: "string", describe: "the parent phase's layer output (absent: the empty tree)" })
      .option("parent-key", { type: "string", describe: "the parent phase's key file" })
      .option("out", { type: "string", demandOption: true, describe: "output: becomes a symlink to the published layer" })
      .option("working-volume", { type: "string", describe: "where layers are stored (default $STRATA_WORKING_VOLUME or ./strata-out)" }) as unknown as Argv<MaterialiseArgs>,
  handler: async (argv: ArgumentsCamelCase<MaterialiseArgs>) => {
    const { runMaterialise } = await import("../portable/materialise.js");
    const cwd = requestCwd();
    const at = (p: string | undefined): string | undefined => (p === undefined ? undefined : resolve(cwd, p));
    await runMaterialise({
      label: argv.label,
      link: { keyFile: at(argv.key)!, diff: at(argv.diff)!, record: at(argv.record)! },
      parent: at(argv.parent),
      parentKeyFile: at(argv["parent-key"]),
      out: at(argv.out)!,
      workingVolume: at(argv["working-volume"]),
    });
  },
};
