#!/usr/bin/env node
// Runs every compiled benchmark in dist/bench/ and passes through their JSON lines.
import { readdirSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dir = join(root, "dist", "bench");
if (!existsSync(dir)) {
  process.stderr.write("error: benchmarks are not built; run `npm run build` first\n");
  process.exit(2);
}
const only = process.argv.slice(2);
for (const file of readdirSync(dir).filter((f) => f.endsWith(".bench.js")).sort()) {
  if (only.length > 0 && !only.some((o) => file.startsWith(o))) continue;
  const mod = await import(join(dir, file));
  await mod.default();
}
