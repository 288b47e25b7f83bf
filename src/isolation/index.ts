// The isolation layer: one place that knows how to run a command inside an image.
export { runIsolated, type IsolationOptions, type IsolationResult } from "./run.js";
export { resolveIdentity, type Identity } from "./identity.js";
export { containerEnv, CONTAINER_PATH } from "./env.js";
