// The persistent worker runs many requests in one process, so code on a request path must not read or change
// process-wide state: no process.exit, process.env, process.chdir or process.cwd(); it reads the request's own
// (src/request-context.ts). This test lists every use in src/ and runner/ and allows only the modules that never
// run inside a worker request.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { expect, it } from "vitest";
import { repoRoot } from "../runner/helpers.js";

/** modules outside any worker request, and why */
const ALLOWED: Record<string, string> = {
  "runner/main.ts": "the one-shot command line",
  "src/cli/report.ts": "how a one-shot process ends",
  "src/cli/worker.ts": "the worker's start-up: its socket, base environment and directory",
  "src/cli/shell.ts": "interactive, never served by the worker",
  "src/cli/image-test.ts": "run by `buck2 test`, never served by the worker",
  "src/isolation/throwaway.ts": "signal handling of shell and image-test",
  "src/request-context.ts": "the process's own values, outside requests",
  "src/rootless/entry.ts": "rootless: before any command runs, the process decides whether to enter a namespace",
  "src/rootless/enter.ts": "rootless: the process that waits for its namespace's child",
  "src/rootless/config.ts": "rootless: the project's setting, read at process start",
  "src/rootless/preflight.ts": "rootless: what entering needs, checked at process start",
  "src/cli/unshare.ts": "`strata unshare`, never served by the worker",
};
const DRIVER = "src/driver/"; // the local driver is its own process, never a worker request

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (name.endsWith(".ts")) out.push(p);
  }
  return out;
}

it("no process.exit/env/chdir/cwd() on the worker's request paths", () => {
  const found: string[] = [];
  for (const file of [...sources(join(repoRoot, "src")), ...sources(join(repoRoot, "runner"))]) {
    const rel = relative(repoRoot, file);
    if (rel in ALLOWED || rel.startsWith(DRIVER)) continue;
    readFileSync(file, "utf8")
      .split("\n")
      .forEach((line, i) => {
        if (/^\s*(\/\/|\*)/.test(line)) return;
        if (/process\.(exit|env|chdir)\b|process\.cwd\(\)/.test(line)) found.push(`${rel}:${i + 1}: ${line.trim()}`);
      });
  }
  expect(found).toEqual([]);
});
