// Shared benchmark helpers: timing, medians, peak RSS of a child process, a scratch loopback btrfs volume,
// and the one-JSON-line result format.
import { execa } from "execa";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** repository root (this file runs from dist/bench/) */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const strataBin = join(repoRoot, "bin", "strata.mjs");
const rssProbe = join(repoRoot, "dist", "bench", "rss-probe.js");

/**
 * Quick mode (`npm run bench -- --quick`, or STRATA_BENCH_QUICK=1): one run of each measurement on small inputs, so
 * that CI can run every benchmark (test/bench/smoke.test.ts) and none rots unnoticed. Its figures mean nothing and
 * no ratio is checked; each line says `"quick": true`.
 */
export const quick = process.env.STRATA_BENCH_QUICK === "1";

/** how many runs a measurement takes: `full`, or 1 in quick mode */
export function runs(full: number): number {
  return quick ? 1 : full;
}

/** an input size: `full`, or `small` in quick mode */
export function size<T>(full: T, small: T): T {
  return quick ? small : full;
}

export interface BenchResult {
  name: string;
  params: Record<string, unknown>;
  seconds: number;
  baseline_seconds: number;
  ratio: number;
  peak_rss_mb: number;
  runs: number;
}

/** a tool the benchmarks need: $ENV, else NAME on PATH, else the one CI keeps beside the checkout (../shared/tools) */
export function findTool(env: string, name: string): string | undefined {
  if (process.env[env]) return process.env[env];
  for (const dir of (process.env.PATH ?? "").split(delimiter)) if (dir !== "" && existsSync(join(dir, name))) return join(dir, name);
  const beside = join(repoRoot, "..", "shared", "tools", name);
  return existsSync(beside) ? beside : undefined;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function round(x: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function printResult(r: BenchResult): void {
  const line = { ...r, seconds: round(r.seconds), baseline_seconds: round(r.baseline_seconds), ratio: round(r.ratio, 3), peak_rss_mb: round(r.peak_rss_mb, 1) };
  process.stdout.write(JSON.stringify(quick ? { ...line, quick } : line) + "\n");
}

export interface Timed {
  seconds: number;
  /** peak resident set of the command, MB (strata commands only; 0 for others) */
  rssMb: number;
}

/** runs a command to completion and times it; throws with its stderr if it fails */
export async function timeCommand(cmd: string, args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<Timed> {
  const t0 = process.hrtime.bigint();
  const r = await execa(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, reject: false, stdin: "ignore" });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.exitCode !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.exitCode}): ${String(r.stderr)}`);
  return { seconds, rssMb: 0 };
}

/** runs `strata ...args` and reports its wall time and peak RSS (measured inside the process by rss-probe) */
export async function timeStrata(args: string[], cwd: string): Promise<Timed> {
  const rssFile = join(tmpdir(), `strata-rss-${process.pid}-${Math.random().toString(36).slice(2)}`);
  const t = await timeCommand("node", ["--import", rssProbe, strataBin, ...args], { cwd, env: { STRATA_RSS_FILE: rssFile } });
  let rss = 0;
  try {
    rss = Number(readFileSync(rssFile, "utf8")) / 1024;
    rmSync(rssFile);
  } catch {
    /* the probe did not run */
  }
  return { seconds: t.seconds, rssMb: rss };
}

export function sh(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { stdio: ["ignore", "ignore", "pipe"] });
}

export interface ScratchVolume {
  mount: string;
  cleanup(): void;
}

/** a fresh loopback btrfs volume (needs root) in a temp dir */
export function scratchBtrfs(sizeGb = 24): ScratchVolume {
  if (process.getuid?.() !== 0) throw new Error("the runner benchmarks need root: they create a loopback btrfs volume");
  const dir = mkdtempSync(join(tmpdir(), "strata-bench-"));
  const img = join(dir, "volume.img");
  const mount = join(dir, "mnt");
  mkdirSync(mount);
  sh("truncate", ["-s", `${sizeGb}G`, img]);
  sh("mkfs.btrfs", ["-q", img]);
  sh("mount", ["-o", "loop", img, mount]);
  return {
    mount,
    cleanup() {
      try {
        sh("umount", [mount]);
      } catch {
        sh("umount", ["-l", mount]);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** a directory of `dirs` × `files` regular files of `bytes` bytes each */
export function makeTree(root: string, dirs: number, files: number, bytes: number): string {
  const block = Buffer.alloc(bytes, 0x61);
  for (let d = 0; d < dirs; d++) {
    const dir = join(root, `d${String(d).padStart(4, "0")}`);
    mkdirSync(dir, { recursive: true });
    for (let f = 0; f < files; f++) {
      block.write(`${d}/${f}`, 0);
      writeFileSync(join(dir, `f${String(f).padStart(5, "0")}`), block);
    }
  }
  return root;
}

export function writeJson(file: string, data: unknown): string {
  writeFileSync(file, JSON.stringify(data));
  return file;
}

/** drops the page cache so each measurement starts from the same place (best effort) */
export function settle(): void {
  try {
    execFileSync("sync");
  } catch {
    /* ignore */
  }
}
