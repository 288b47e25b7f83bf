#!/usr/bin/env node
// Bundles the runner (runner/main.ts and everything it imports, node_modules included) into dist/bundle/.
// Loading hundreds of small ES modules dominated the start-up of every `strata` process, and Buck2 starts one per
// layer phase; one bundle loads in a fraction of that time. Code splitting keeps each command's dynamic import lazy:
// main.js holds the command-line wiring, each command's code lives in its own chunk.
// The local Buck2 stand-in (packages/buck2-local) is bundled on its own, into dist/buck2-local/index.js, and the
// runner's bundle imports it from there: the runner's bundle (dist/bundle/, the toolchain's `runtime` in BUCK) then
// holds none of the driver's code, so editing the driver changes no input of a layer action under Buck2.
import { build } from "esbuild";
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const outdir = join(root, "dist", "bundle");
const driverEntry = join(root, "packages", "buck2-local", "src", "index.ts");
const driverOut = join(root, "dist", "buck2-local", "index.js");
const entry = join(outdir, "main.js");
/** chunks no longer part of the bundle are removed once they are this old (a running strata may still load one) */
const STALE_CHUNK_MS = 60 * 60 * 1000;

// CommonJS dependencies (proper-lockfile, graceful-fs, graphology) call require() for Node built-ins,
// which an ES module bundle only has if it makes one.
const banner = { js: 'import { createRequire as __strataCreateRequire } from "node:module"; const require = __strataCreateRequire(import.meta.url);' };

/** the runner imports the driver by its source path; in the bundle that import goes to the driver's own bundle */
const driverExternal = {
  name: "buck2-local-external",
  setup(b) {
    b.onResolve({ filter: /packages\/buck2-local\/src\/index\.js$/ }, () => ({ path: "../buck2-local/index.js", external: true }));
  },
};

const driver = await build({
  absWorkingDir: root,
  entryPoints: [driverEntry],
  outfile: driverOut,
  write: false,
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  logLevel: "warning",
  banner,
});

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
  banner,
  plugins: [driverExternal],
});

// Other processes may run strata from this tree while it is rebuilt (tests, Buck2 actions). Chunk names carry a
// content hash, so each file is replaced atomically and main.js last: a process sees either the old or the new bundle.
// The driver first: a new runner bundle may need it.
mkdirSync(dirname(driverOut), { recursive: true });
for (const file of driver.outputFiles) {
  const tmp = `${file.path}.${process.pid}.tmp`;
  writeFileSync(tmp, file.contents);
  renameSync(tmp, file.path);
}
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
