// `strata facts`: writes everything a published layer's facts record holds as one JSON document. The Buck2
// `[facts]` sub-targets run it as their own action, so only a build that asks for the facts pays for the full
// export; compiling a child layer never does.
import { join, resolve } from "node:path";
import type { ArgumentsCamelCase, Argv, CommandModule } from "yargs";
import { StrataError } from "../errors.js";
import { requestCwd } from "../request-context.js";

interface FactsArgs {
  layer: string;
  out: string;
  label?: string;
}

export const factsCommand: CommandModule<object, FactsArgs> = {
  command: "facts",
  builder: (y: Argv) =>
    y
      .option("layer", { type: "string", demandOption: true, describe: "the layer's output symlink (OUT of `compile`)" })
      .option("out", { type: "string", demandOption: true, describe: "the JSON file to write" })
      .option("label", { type: "string", describe: "Buck2 label of the layer (for messages; default: the one it was built as)" }) as unknown as Argv<FactsArgs>,
  handler: async (argv: ArgumentsCamelCase<FactsArgs>) => {
    const { resolveLayerOutput, readLayerInfo, INFO_FILE } = await import("../storage/layers.js");
    const { openFacts } = await import("../facts/view.js");
    const { exportFactsJson } = await import("../facts/export.js");
    const cwd = requestCwd();
    const layer = resolveLayerOutput(resolve(cwd, argv.layer), { label: argv.label ?? argv.layer, role: "layer" });
    const info = readLayerInfo(layer.dir);
    if (info === undefined) {
      throw new StrataError({
        label: argv.label ?? argv.layer,
        message: `the layer ${argv.layer} has no readable ${INFO_FILE}`,
        expected: `a layer published by \`strata compile\` (with ${join(layer.dir, INFO_FILE)})`,
        found: "no such file, or not JSON",
      });
    }
    await exportFactsJson(openFacts(layer.facts), resolve(cwd, argv.out), { label: argv.label ?? info.label, phase: info.phase });
  },
};
