// Where strata's own files are (src/driver/*.py, bridge.bzl, ...). Modules must not resolve such files relative to
// their own location: the same code runs as TypeScript sources (vitest), as tsc output (dist/src/...) and bundled
// (dist/bundle/chunk-*.js), each at a different depth. The package root is the same for all three.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const PACKAGE_NAME = "strata";
let cached: string | undefined;

function isStrataPackage(dir: string): boolean {
  try {
    return (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: unknown }).name === PACKAGE_NAME;
  } catch {
    return false;
  }
}

/** the directory holding strata's package.json: the nearest one above this module, wherever it runs from */
export function packageRoot(): string {
  if (cached !== undefined) return cached;
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (isStrataPackage(dir)) return (cached = dir);
    if (dirname(dir) === dir) throw new Error(`strata's package.json (name "${PACKAGE_NAME}") is not in ${start} nor any directory above it`);
  }
}

/** a file of strata's package, given relative to the package root (e.g. "src", "driver", "evaluate.py") */
export function packageFile(...parts: string[]): string {
  return join(packageRoot(), ...parts);
}
