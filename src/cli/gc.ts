// `strata gc`: removes layers no published output points to, once they are older than the grace period, wherever in
// the working volume they sit (nested working volumes too), and any other subvolume there.
import type { ArgumentsCamelCase, Argv, CommandModule } from "yargs";
import { StrataError } from "../errors.js";
import { DEFAULT_GRACE_SECONDS, collectGarbage } from "../storage/gc.js";

interface GcArgs {
  "working-volume"?: string;
  "grace-seconds": number;
  backend?: string;
}

export const gcCommand: CommandModule<object, GcArgs> = {
  command: "gc",
  builder: (y: Argv) =>
    y
      .option("working-volume", { type: "string", describe: "the working volume (default $STRATA_WORKING_VOLUME or ./strata-out)" })
      .option("grace-seconds", { type: "number", default: DEFAULT_GRACE_SECONDS, describe: "keep unreferenced layers younger than this" })
      .option("backend", { type: "string", choices: ["auto", "btrfs", "copy"], describe: "storage backend (default $STRATA_BACKEND or auto)" }) as unknown as Argv<GcArgs>,
  handler: async (argv: ArgumentsCamelCase<GcArgs>) => {
    const grace = argv["grace-seconds"];
    if (!Number.isFinite(grace) || grace < 0) {
      throw new StrataError({ label: "strata gc", message: "invalid --grace-seconds", expected: "a number of seconds >= 0", found: String(grace) });
    }
    const { openWorkingVolume } = await import("../storage/volume.js");
    const wv = await openWorkingVolume({ dir: argv["working-volume"], backend: argv.backend, label: "strata gc" });
    const r = await collectGarbage(wv, grace);
    for (const name of r.removed) process.stdout.write(`removed ${name}\n`);
    for (const name of r.factsKept) process.stdout.write(`removed the tree of ${name} (its facts are still needed)\n`);
    for (const t of r.tempsRemoved) process.stdout.write(`removed ${t}, left by a publish that was killed\n`);
    for (const name of r.throwawaysRemoved) process.stdout.write(`removed abandoned throwaway snapshot ${name}\n`);
    for (const dir of r.nestedRemoved) process.stdout.write(`removed the nested working volume ${dir}, which held nothing any more\n`);
    for (const path of r.straysRemoved) process.stdout.write(`removed the subvolume ${path}, which is in no layer\n`);
    process.stdout.write(`gc: ${r.removed.length} removed, ${r.factsKept.length} trees removed with facts kept, ${r.kept.length} kept\n`);
  },
};
