// The `strata` command line. Each command lives in its own module, listed in src/commands.ts; this file only wires them together.
// Start-up time matters (a child layer build is one short process), so only the module of the command being run
// is loaded: every other command is registered as a stub that only carries its name and description, which is
// all yargs needs for the top-level `--help` and for rejecting unknown commands.
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { COMMANDS } from "../src/commands.js";
import { reportFailure } from "../src/cli/report.js";
import { enterRootlessIfNeeded } from "../src/rootless/entry.js";

// as an ordinary user the command runs again inside a user namespace (src/rootless/); this process then only waits
const args = await enterRootlessIfNeeded(hideBin(process.argv)).catch((e: Error) => reportFailure(undefined, e));
// the command is the first word that is not an option (strata has no global options that take a value)
const chosen = COMMANDS.find((c) => c.name === args.find((a) => !a.startsWith("-")));

let cli = yargs(args).scriptName("strata");
for (const c of COMMANDS) {
  // a stub is never run: yargs only dispatches to the chosen command, which is loaded in full
  cli = c === chosen ? cli.command(await c.load()) : cli.command(c.name, c.description);
}
// yargs renders the chosen command's help text after starting its handler, only to keep it in case the handler
// later shows help. No strata handler does (reportFailure never prints help), and the rendering cost ~40 ms of
// every run, mostly measuring string widths; yargs has no option to turn it off, so the cache step is made a no-op.
// `--help` does not go through it: help is rendered when asked for, as before.
// Internals are reached defensively: if a later yargs moves them, the run only gets slower, never broken.
type YargsInternals = { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } };
const usage = (cli as unknown as YargsInternals).getInternalMethods?.().getUsageInstance?.();
if (usage !== undefined && typeof usage.cacheHelpMessage === "function") usage.cacheHelpMessage = () => {};
await cli
  .demandCommand(1, "error: no command given; see `strata --help`")
  .strict()
  .fail(reportFailure)
  .help()
  .parseAsync();
