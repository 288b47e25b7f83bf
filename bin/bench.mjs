#!/usr/bin/env node
// Runs the compiled benchmarks in dist/bench/ and passes through their JSON lines.
//   npm run bench [-- [--quick] [PREFIX...]]   PREFIX: only the benchmark files whose name starts with it
// --quick (or STRATA_BENCH_QUICK=1): one run on small inputs, what CI runs (test/bench/smoke.test.ts); see bench/lib.ts.
import { readdirSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dir = join(root, "dist", "bench");
if (!existsSync(dir)) {
  process.stderr.write("error: benchmarks are not built; run `npm run build` first\n");
  process.exit(2);
}
const args = process.argv.slice(2);
// set before any benchmark module loads: bench/lib.ts reads it once
if (args.includes("--quick")) process.env.STRATA_BENCH_QUICK = "1";
const only = args.filter((a) => a !== "--quick");
const unknown = only.filter((a) => a.startsWith("-"));
if (unknown.length > 0) {
  process.stderr.write(`error: unknown option ${unknown.join(", ")}; usage: npm run bench -- [--quick] [PREFIX...]\n`);
  process.exit(2);
}
const files = readdirSync(dir).filter((f) => f.endsWith(".bench.js")).sort();
const unmatched = only.filter((o) => !files.some((f) => f.startsWith(o)));
if (unmatched.length > 0) {
  process.stderr.write(`error: no benchmark in dist/bench/ starts with ${unmatched.join(", ")} (built: ${files.join(", ")}); run \`npm run build\` after adding one\n`);
  process.exit(2);
}
for (const file of files) {
  if (only.length > 0 && !only.some((o) => file.startsWith(o))) continue;
  const mod = await import(join(dir, file));
  await mod.default();
}
