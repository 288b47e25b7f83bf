// `strata clean`: unmounts and removes the working volume (every layer in it), so the checkout can be deleted.
import type { ArgumentsCamelCase, Argv, CommandModule } from "yargs";

interface CleanArgs {
  "working-volume"?: string;
}

export const cleanCommand: CommandModule<object, CleanArgs> = {
  command: "clean",
  builder: (y: Argv) => y.option("working-volume", { type: "string", describe: "the working volume (default $STRATA_WORKING_VOLUME or ./strata-out)" }) as unknown as Argv<CleanArgs>,
  handler: async (argv: ArgumentsCamelCase<CleanArgs>) => {
    const { resolveVolumeDir } = await import("../storage/volume.js");
    const { cleanWorkingVolume } = await import("../storage/clean.js");
    const r = await cleanWorkingVolume(resolveVolumeDir(argv["working-volume"]));
    for (const m of r.unmounted) process.stdout.write(`unmounted ${m}\n`);
    process.stdout.write(r.removed ? `removed ${r.dir}\n` : `nothing to clean: ${r.dir} does not exist\n`);
  },
};
