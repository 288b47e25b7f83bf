// `strata local build|run|test|repro`: a thin delegate to the local Buck2 stand-in (packages/buck2-local). The
// driver knows nothing of strata; strata adds its persistent worker (as an ActionRunner) and `repro`, which needs
// working volumes. The import below is the one tie from the runner to the driver: bin/bundle.mjs keeps the driver
// out of the runner's bundle (it is bundled on its own), so the driver's code is no input of Buck2's layer actions.
import type { CommandModule } from "yargs";
import { driverCommand, setActionRunner, setInvocation } from "../../packages/buck2-local/src/index.js";
import { reproCommand } from "./repro.js";
import { RunnerWorkers } from "./runner-worker.js";

/** `strata local`, its runner actions going to a worker serving `served` (the command table's, src/commands.ts) */
export function localCommand(description: string, served: Readonly<Record<string, unknown>>): CommandModule {
  // strata's runner actions go to one persistent `strata worker` per build, unless STRATA_LOCAL_WORKER=0
  if (process.env.STRATA_LOCAL_WORKER !== "0") setActionRunner((root, env, log) => new RunnerWorkers(root, env, log, new Set(Object.keys(served))));
  // the commands the driver's errors suggest (`uquery` for a visibility error) are spelled as users run them
  setInvocation("npx strata local");
  return driverCommand("local", description, [reproCommand as unknown as CommandModule]);
}
