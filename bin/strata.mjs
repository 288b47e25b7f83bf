#!/usr/bin/env node
// Entry shim: runs the bundled runner, dist/bundle/main.js (npm ci runs `prepare`, which runs tsc and bin/bundle.mjs).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const entry = join(root, "dist", "bundle", "main.js");
if (!existsSync(entry)) {
  process.stderr.write(`error: strata is not built: ${entry} is missing; run \`npm ci\` or \`npm run build\` in ${root}\n`);
  process.exit(2);
}
await import(entry);
