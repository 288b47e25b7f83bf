#!/usr/bin/env node
// Entry shim: the TypeScript sources compile to dist/ (npm ci runs `prepare`, which runs tsc).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const entry = join(root, "dist", "runner", "main.js");
if (!existsSync(entry)) {
  process.stderr.write(`error: strata is not built: ${entry} is missing; run \`npm ci\` or \`npm run build\` in ${root}\n`);
  process.exit(2);
}
await import(entry);
