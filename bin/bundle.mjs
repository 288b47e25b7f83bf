#!/usr/bin/env node
// Bundles the runner (runner/main.ts and everything it imports, node_modules included) into dist/bundle/.
// Loading hundreds of small ES modules dominated the start-up of every `strata` process, and Buck2 starts one per
// layer phase; one bundle loads in a fraction of that time. Code splitting keeps each command's dynamic import lazy:
// main.js holds the command-line wiring, each command's code lives in its own chunk.
import { build } from "esbuild";
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const outdir = join(root, "dist", "bundle");
rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: [join(root, "runner", "main.ts")],
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  minify: true,
  legalComments: "linked",
  logLevel: "warning",
  // CommonJS dependencies (proper-lockfile, graceful-fs, graphology) call require() for Node built-ins,
  // which an ES module bundle only has if it makes one.
  banner: { js: 'import { createRequire as __strataCreateRequire } from "node:module"; const require = __strataCreateRequire(import.meta.url);' },
});
