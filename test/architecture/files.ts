// The repository's text files, for the architecture tests that read them.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../rules/project.js";

const TEXT = /\.(ts|mjs|bzl|bxl|md|py|sh)$|(^|\/)(BUCK|TARGETS)$/;
const SKIP_DIRS = new Set(["node_modules", "dist", "strata-out", ".git", "buck-out"]);

/** Files under `dir` (relative to the repository), recursively. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(repoRoot, dir), { withFileTypes: true })) {
    if (SKIP_DIRS.has(entry.name)) continue;
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...filesUnder(rel));
    else if (TEXT.test(rel)) out.push(rel);
  }
  return out;
}
