// Every benchmark in bench/, run once in quick mode (`npm run bench -- --quick FILE`: one run, small inputs) so that
// none can rot unnoticed: it must exit 0 and print only well-formed result lines, at least one. No figure is checked.
// The list comes from bench/*.bench.ts itself: a new benchmark file is run here without anyone adding it.
import { execa } from "execa";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { findBuck2, repoRoot } from "../buck2/harness.js";
import { findNativeLink } from "../remote/harness.js";

const BENCH = join(repoRoot, "bench");
const FILES = readdirSync(BENCH)
  .filter((f) => f.endsWith(".bench.ts"))
  .sort();

/** the tools a benchmark file needs beyond root and btrfs (it skips itself without them, printing nothing) */
const NEEDS: Record<string, Array<"buck2" | "nativelink">> = {
  "buck2-worker.bench.ts": ["buck2"],
  "remote.bench.ts": ["buck2", "nativelink"],
};

/** the environment the file needs (STRATA_BUCK2, STRATA_NATIVELINK), or why it cannot run here */
function toolsFor(file: string): { env: Record<string, string>; missing: string | null } {
  const env: Record<string, string> = {};
  if (process.getuid?.() !== 0) return { env, missing: "the benchmarks need root (they make their own loopback btrfs volume)" };
  if (inject("btrfsRoot") === null) return { env, missing: inject("btrfsUnavailableReason") };
  for (const tool of NEEDS[file] ?? []) {
    const found = tool === "buck2" ? findBuck2() : findNativeLink();
    if (found.bin === null) return { env, missing: found.reason };
    env[tool === "buck2" ? "STRATA_BUCK2" : "STRATA_NATIVELINK"] = found.bin;
  }
  return { env, missing: null };
}

/** one result line as bench/lib.ts printResult writes it, in quick mode */
function checkLine(file: string, line: string): void {
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new Error(`${file}: a stdout line that is not JSON: ${line}`);
  }
  expect(typeof r.name, `${file}: name in ${line}`).toBe("string");
  expect(r.name).toMatch(/^[a-z0-9_]+$/);
  expect(typeof r.params === "object" && r.params !== null && !Array.isArray(r.params), `${file}: params in ${line}`).toBe(true);
  expect(typeof r.seconds === "number" && r.seconds >= 0, `${file}: seconds in ${line}`).toBe(true);
  for (const k of ["baseline_seconds", "ratio", "peak_rss_mb"]) expect(r[k] === null || typeof r[k] === "number", `${file}: ${k} in ${line}`).toBe(true);
  expect(r.runs, `${file}: quick mode makes one run: ${line}`).toBe(1);
  expect(r.quick, `${file}: the line says it is a quick run: ${line}`).toBe(true);
}

describe("every benchmark runs in quick mode", () => {
  it("finds the benchmark files", () => {
    expect(FILES.length).toBeGreaterThanOrEqual(6);
  });

  for (const file of FILES) {
    const { env, missing } = toolsFor(file);
    // as describeBuck2 and describeRemote: skipped with the reason outside CI, a failure under CI=true
    const run = missing !== null && process.env.CI !== "true" ? it.skip : it;
    run(`${file}${missing !== null && process.env.CI !== "true" ? ` (skipped: ${missing})` : ""}`, { timeout: 900_000 }, async () => {
      if (missing !== null) throw new Error(`CI=true but ${file} cannot run: ${missing}`);
      const built = join(repoRoot, "dist", "bench", file.replace(/\.ts$/, ".js"));
      expect(statSync(built, { throwIfNoEntry: false })?.mtimeMs ?? 0, `${built} is missing or older than bench/${file}: run \`npm run build\` (scripts/test.sh does)`).toBeGreaterThanOrEqual(
        statSync(join(BENCH, file)).mtimeMs,
      );
      const r = await execa(process.execPath, ["--expose-gc", join(repoRoot, "bin", "bench.mjs"), "--quick", file.replace(/\.ts$/, ".js")], {
        cwd: repoRoot,
        env: { ...env, STRATA_BENCH_QUICK: "" },
        reject: false,
        stdin: "ignore",
      });
      expect(r.exitCode, `${file} failed:\n${String(r.stderr)}`).toBe(0);
      const lines = String(r.stdout).split("\n").filter((l) => l !== "");
      expect(lines.length, `${file} printed no result (stderr: ${String(r.stderr)})`).toBeGreaterThan(0);
      for (const line of lines) checkLine(file, line);
    });
  }
});
