// `strata depgraph`: validates a phase's features without building anything and prints the apply order.
import { writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { ArgumentsCamelCase, Argv, CommandModule } from "yargs";
import { requestCwd, requestStdout } from "../request-context.js";

interface DepgraphArgs {
  features: string;
  parent?: string;
  label: string;
  out?: string;
}

export const depgraphCommand: CommandModule<object, DepgraphArgs> = {
  command: "depgraph",
  builder: (y: Argv) =>
    y
      .option("features", { type: "string", demandOption: true, describe: "features file (JSON array)" })
      .option("parent", { type: "string", describe: "the parent layer's output symlink" })
      .option("label", { type: "string", default: "//:layer", describe: "Buck2 label of the layer (for messages)" })
      .option("out", { type: "string", describe: "write the order here instead of stdout" }) as unknown as Argv<DepgraphArgs>,
  handler: async (argv: ArgumentsCamelCase<DepgraphArgs>) => {
    const { layerFactsOf, readFeaturesFile } = await import("../compile.js");
    const { planPhase } = await import("../depgraph/index.js");
    const { emptyFacts } = await import("../facts/view.js");
    const { parseFeatures } = await import("../features/registry.js");
    const label = argv.label;
    const cwd = requestCwd();
    const features = parseFeatures(await readFeaturesFile(resolve(cwd, argv.features), label), label);
    const parent = argv.parent !== undefined ? layerFactsOf(label, "parent layer")(resolve(cwd, argv.parent)) : emptyFacts();
    const plan = await planPhase(features, { label, projectRoot: cwd, parent, layerFacts: layerFactsOf(label, "source layer") });
    const lines = plan.order.map((s) => s.module.describe(s.feature) + "\n").join("");
    if (argv.out !== undefined) await writeFile(resolve(cwd, argv.out), lines);
    else requestStdout().write(lines);
  },
};
