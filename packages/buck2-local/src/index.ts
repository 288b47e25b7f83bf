// buck2-local: a local stand-in for Buck2. It evaluates BUCK/.bzl files with starlark-rust (starlark/evaluate.py),
// analyses the requested targets and runs their actions. It knows nothing of what the actions do: a tool built on
// Buck2 rules reaches it only through the actions its rules declare, and may hand run actions to an ActionRunner.
export { ActionCache } from "./action-cache.js";
export { buildRequested, buildTargets, showOutputLines } from "./build.js";
export { driverCommand } from "./cli.js";
export { evaluateScript, evaluateTargets, queryTargets, setInvocation, type Action, type Evaluation, type RequestedTarget } from "./evaluation.js";
export { setActionRunner, type ActionRunResult, type ActionRunner, type ActionRunnerFactory, type RunOptions, type RunReport } from "./executor.js";
export { ActionFailures, DriverFailure } from "./failure.js";
export { driverFile, driverRoot } from "./locate.js";
export { findProjectRoot } from "./root.js";
