#!/usr/bin/env node
// Bundles the runner (runner/main.ts and everything it imports, node_modules included) into dist/bundle/.
// Loading hundreds of small ES modules dominated the start-up of every `strata` process, and Buck2 starts one per
// layer phase; one bundle loads in a fraction of that time. Code splitting keeps each command's dynamic import lazy:
// main.js holds the command-line wiring, each command's code lives in its own chunk.
import { build } from "esbuild";
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const outdir = join(root, "dist", "bundle");
const entry = join(outdir, "main.js");
/** chunks no longer part of the bundle are removed once they are this old (a running strata may still load one) */
const STALE_CHUNK_MS = 60 * 60 * 1000;

const result = await build({
  absWorkingDir: root,
  entryPoints: [join(root, "runner", "main.ts")],
  outdir,
  write: false,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // minifying made no measurable difference to start-up; unminified stack traces stay readable
  logLevel: "warning",
  // CommonJS dependencies (proper-lockfile, graceful-fs, graphology) call require() for Node built-ins,
  // which an ES module bundle only has if it makes one.
  banner: { js: 'import { createRequire as __strataCreateRequire } from "node:module"; const require = __strataCreateRequire(import.meta.url);' },
});

// Other processes may run strata from this tree while it is rebuilt (tests, Buck2 actions). Chunk names carry a
// content hash, so each file is replaced atomically and main.js last: a process sees either the old or the new bundle.
mkdirSync(outdir, { recursive: true });
const written = new Set();
const files = [...result.outputFiles].sort((a, b) => Number(a.path === entry) - Number(b.path === entry));
for (const file of files) {
  const tmp = `${file.path}.${process.pid}.tmp`;
  writeFileSync(tmp, file.contents);
  renameSync(tmp, file.path);
  written.add(basename(file.path));
}
const now = Date.now();
for (const name of readdirSync(outdir)) {
  const path = join(outdir, name);
  if (!written.has(name) && now - statSync(path).mtimeMs > STALE_CHUNK_MS) rmSync(path, { force: true });
}
