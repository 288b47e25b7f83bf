// STRATA_TRACE=1: the time of each step of a package install on stderr (`strata: apt: <step>: N ms`), as
// compilePhase traces its own steps; the figures docs/debian.md quotes come from it.
import { requestEnv, requestStderr } from "../request-context.js";

export function aptTracer(): (step: string) => void {
  if (requestEnv().STRATA_TRACE !== "1") return () => {};
  let last = performance.now();
  return (step) => {
    const now = performance.now();
    requestStderr().write(`strata: apt: ${step}: ${(now - last).toFixed(1)} ms\n`);
    last = now;
  };
}
