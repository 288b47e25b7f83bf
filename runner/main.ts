// The `strata` command line. Each command lives in its own module; this file only wires them together.
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { compileCommand } from "../src/cli/compile.js";
import { depgraphCommand } from "../src/cli/depgraph.js";
import { gcCommand } from "../src/cli/gc.js";
import { localCommand } from "../src/driver/cli.js";
import { reportFailure } from "../src/cli/report.js";

await yargs(hideBin(process.argv))
  .scriptName("strata")
  .command(compileCommand)
  .command(depgraphCommand)
  .command(gcCommand)
  .command(localCommand)
  .demandCommand(1, "error: no command given; see `strata --help`")
  .strict()
  .fail(reportFailure)
  .help()
  .parseAsync();
