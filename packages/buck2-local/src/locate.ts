// Where the driver's own uncompiled files are (starlark/evaluate.py, starlark/bridge.bzl, starlark/pydriver/).
// The same code runs as TypeScript sources (vitest), as tsc output (dist/packages/buck2-local/src/) and bundled
// (dist/buck2-local/), each at a different depth: walk up to this package's package.json, or to a directory that
// holds this package under packages/ (a workspace root, whose dist/ holds the compiled copies).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const PACKAGE_NAME = "buck2-local";
let cached: string | undefined;

function isThisPackage(dir: string): boolean {
  try {
    return (JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { name?: unknown }).name === PACKAGE_NAME;
  } catch {
    return false;
  }
}

/** the directory holding this package's package.json */
export function driverRoot(): string {
  if (cached !== undefined) return cached;
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (isThisPackage(dir)) return (cached = dir);
    if (isThisPackage(join(dir, "packages", PACKAGE_NAME))) return (cached = join(dir, "packages", PACKAGE_NAME));
    if (dirname(dir) === dir) throw new Error(`the package.json of ${PACKAGE_NAME} is not in ${start} nor any directory above it`);
  }
}

/** a file of this package, relative to its root (e.g. "starlark", "evaluate.py") */
export function driverFile(...parts: string[]): string {
  return join(driverRoot(), ...parts);
}
