// `strata deb-extract`: the files a .deb installs, as a plain tarball (the deb_file rule's extraction action).
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import type { ArgumentsCamelCase, Argv, CommandModule } from "yargs";
import { StrataError } from "../errors.js";
import { debDataTar } from "./extract.js";

interface DebExtractArgs {
  deb: string;
  out: string;
  sha256?: string;
  label: string;
}

export const debExtractCommand: CommandModule<object, DebExtractArgs> = {
  command: "deb-extract",
  builder: (y: Argv) =>
    y
      .option("deb", { type: "string", demandOption: true, describe: "the .deb file" })
      .option("out", { type: "string", demandOption: true, describe: "where to write the .tar" })
      .option("sha256", { type: "string", describe: "refuse a .deb with another digest" })
      .option("label", { type: "string", default: "deb_file", describe: "Buck2 label (for messages)" }) as unknown as Argv<DebExtractArgs>,
  handler: async (argv: ArgumentsCamelCase<DebExtractArgs>) => {
    const deb = await readFile(argv.deb);
    if (argv.sha256 !== undefined) {
      const got = createHash("sha256").update(deb).digest("hex");
      if (got !== argv.sha256) throw new StrataError({ label: argv.label, message: `${argv.deb} has the wrong sha256`, expected: argv.sha256, found: got });
    }
    await writeFile(argv.out, await debDataTar(deb, argv.label));
  },
};
