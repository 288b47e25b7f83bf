// `strata depgraph`: validates a phase's features without building anything and prints the apply order.
import { readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { ArgumentsCamelCase, Argv, CommandModule } from "yargs";
import { StrataError } from "../errors.js";

interface DepgraphArgs {
  features: string;
  parent?: string;
  label: string;
  out?: string;
}

export const depgraphCommand: CommandModule<object, DepgraphArgs> = {
  command: "depgraph",
  describe: "validate a phase's features (every error at once) and print the order they apply in",
  builder: (y: Argv) =>
    y
      .option("features", { type: "string", demandOption: true, describe: "features file (JSON array)" })
      .option("parent", { type: "string", describe: "the parent layer's output symlink" })
      .option("label", { type: "string", default: "//:layer", describe: "Buck2 label of the layer (for messages)" })
      .option("out", { type: "string", describe: "write the order here instead of stdout" }) as unknown as Argv<DepgraphArgs>,
  handler: async (argv: ArgumentsCamelCase<DepgraphArgs>) => {
    const { layerFactsOf } = await import("../compile.js");
    const { planPhase } = await import("../depgraph/index.js");
    const { emptyFacts, openFacts } = await import("../facts/view.js");
    const { parseFeatures } = await import("../features/registry.js");
    const { resolveLayerOutput } = await import("../storage/layers.js");
    const label = argv.label;
    let text: string;
    try {
      text = await readFile(argv.features, "utf8");
    } catch (e) {
      throw new StrataError({ label, message: `cannot read the features file ${argv.features}`, found: (e as Error).message });
    }
    const features = parseFeatures(text, label);
    const parent = argv.parent !== undefined ? openFacts(resolveLayerOutput(argv.parent, { label, role: "parent layer" }).facts) : emptyFacts();
    const plan = await planPhase(features, { label, projectRoot: process.cwd(), parent, layerFacts: layerFactsOf(label, "source layer") });
    const lines = plan.order.map((s) => s.module.describe(s.feature) + "\n").join("");
    if (argv.out !== undefined) await writeFile(resolve(argv.out), lines);
    else process.stdout.write(lines);
  },
};
