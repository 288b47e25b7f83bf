// `strata phase`: one phase of a layer as a portable action (src/portable/phase.ts): inputs in, diff, record and key out.
import { resolve } from "node:path";
import type { ArgumentsCamelCase, Argv, CommandModule } from "yargs";
import { requestCwd } from "../request-context.js";
import { BUILD_PHASES as PHASES } from "../features/phases.js";
import { StrataError } from "../errors.js";
import type { ChainLink } from "../portable/chain.js";

interface PhaseArgs {
  label: string;
  phase: string;
  features: string;
  ancestor?: string[];
  "layer-ref"?: string[];
  "diff-out": string;
  "record-out": string;
  "key-out": string;
  store?: string;
  "working-volume"?: string;
}

export const phaseCommand: CommandModule<object, PhaseArgs> = {
  command: "phase",
  builder: (y: Argv) =>
    y
      .option("label", { type: "string", demandOption: true, describe: "Buck2 label of the layer (for messages)" })
      .option("phase", { type: "string", demandOption: true, choices: PHASES, describe: "the build phase" })
      .option("features", { type: "string", demandOption: true, describe: "features file (JSON array)" })
      .option("ancestor", { type: "string", array: true, describe: "KEY,DIFF,RECORD of each phase below this one, the first layer's first phase first" })
      .option("layer-ref", { type: "string", array: true, describe: "TOKEN=KEY,DIFF,RECORD: a phase of a layer the features name by TOKEN (@layer:N, @appliance), first phase first" })
      .option("diff-out", { type: "string", demandOption: true, describe: "output: what the phase changed, as a tar with OCI whiteouts" })
      .option("record-out", { type: "string", demandOption: true, describe: "output: the phase's record (changes, root metadata, facts delta)" })
      .option("key-out", { type: "string", demandOption: true, describe: "output: the key of the tree the phase leaves" })
      .option("store", { type: "string", choices: ["auto", "volume", "scratch"], default: "auto", describe: "where trees are built: the working volume, or a scratch directory removed afterwards (auto: the volume when run in a Buck2 project)" })
      .option("working-volume", { type: "string", describe: "the working volume (default $STRATA_WORKING_VOLUME or ./strata-out)" }) as unknown as Argv<PhaseArgs>,
  handler: async (argv: ArgumentsCamelCase<PhaseArgs>) => {
    const { runPortablePhase } = await import("../portable/phase.js");
    const cwd = requestCwd();
    const at = (p: string): string => resolve(cwd, p);
    const links = (option: string, values: string[] | undefined) =>
      (values ?? []).map((a) => {
        const parts = a.split(",");
        if (parts.length !== 3) throw new StrataError({ label: argv.label, message: `--${option} takes KEY,DIFF,RECORD`, expected: "three comma-separated paths", found: JSON.stringify(a) });
        return { keyFile: at(parts[0]!), diff: at(parts[1]!), record: at(parts[2]!) };
      });
    const ancestors = links("ancestor", argv.ancestor);
    const layerRefs = new Map<string, ChainLink[]>();
    for (const ref of argv["layer-ref"] ?? []) {
      const eq = ref.indexOf("=");
      if (eq <= 0) throw new StrataError({ label: argv.label, message: "--layer-ref takes TOKEN=KEY,DIFF,RECORD", expected: "a token, `=`, three comma-separated paths", found: JSON.stringify(ref) });
      const token = ref.slice(0, eq);
      layerRefs.set(token, [...(layerRefs.get(token) ?? []), ...links("layer-ref", [ref.slice(eq + 1)])]);
    }
    await runPortablePhase({
      label: argv.label,
      phase: argv.phase,
      features: at(argv.features),
      ancestors,
      layerRefs,
      diffOut: at(argv["diff-out"]),
      recordOut: at(argv["record-out"]),
      keyOut: at(argv["key-out"]),
      store: argv.store as "auto" | "volume" | "scratch",
      workingVolume: argv["working-volume"] !== undefined ? at(argv["working-volume"]) : undefined,
      projectRoot: cwd,
    });
  },
};
