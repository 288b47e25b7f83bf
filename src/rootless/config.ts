// `[strata] rootless` of the project: read from .buckconfig.local, then .buckconfig, of the nearest directory above
// the working directory that has a .buckconfig (Buck2 runs actions, and the local driver runs, in the project root).
import { findProjectRoot, projectConfigEntry } from "../buckconfig.js";

export function projectRootlessSetting(cwd = process.cwd()): { value: string; file: string } | undefined {
  const root = findProjectRoot(cwd);
  return root === undefined ? undefined : projectConfigEntry(root, "strata", "rootless");
}
