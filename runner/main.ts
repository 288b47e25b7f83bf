// The `strata` command line. Each command lives in its own module; this file only wires them together.
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { compileCommand } from "../src/cli/compile.js";
import { depgraphCommand } from "../src/cli/depgraph.js";
import { gcCommand } from "../src/cli/gc.js";
import { localCommand } from "../src/driver/cli.js";
import { reportFailure } from "../src/cli/report.js";
import { imageTestCommand } from "../src/cli/image-test.js";
import { shellCommand } from "../src/cli/shell.js";
import { debExtractCommand } from "../src/debian/cli.js";

await yargs(hideBin(process.argv))
  .scriptName("strata")
  .command(compileCommand)
  .command(depgraphCommand)
  .command(gcCommand)
  .command(localCommand)
  .command(imageTestCommand)
  .command(shellCommand)
  .command(debExtractCommand)
  .demandCommand(1, "error: no command given; see `strata --help`")
  .strict()
  .fail(reportFailure)
  .help()
  .parseAsync();
