// Finds the project root as Buck2 does: the furthest `.buckconfig` upward, unless a `.buckroot` stops the search.
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { DriverFailure } from "./failure.js";

export function findProjectRoot(start: string): string {
  let dir = resolve(start);
  let found: string | undefined;
  for (;;) {
    if (existsSync(resolve(dir, ".buckconfig"))) found = dir;
    if (existsSync(resolve(dir, ".buckroot"))) break;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  if (found === undefined) {
    throw new DriverFailure(`error: no .buckconfig found in ${resolve(start)} or any parent directory; not inside a Buck2 project`);
  }
  return found;
}
