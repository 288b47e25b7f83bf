// A scratch copy of the strata Buck2 project on the btrfs test volume, built through the local driver.
import { execa, type Result } from "execa";
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { freshBtrfsDir } from "../helpers/volume.js";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const strataBin = join(repoRoot, "bin", "strata.mjs");

/** What the rules need to run: the Buck2 files, the runner (bin + compiled dist) and its node_modules. */
const PROJECT_FILES = [".buckconfig", "BUCK", "prelude", "rules", "bin", "dist", "package.json", "examples", "base"];

export interface Project {
  root: string;
  /** `strata local <args>` with cwd = the project root */
  local(args: string[]): Promise<Result>;
  /** `local build <targets> --show-output`; fails the test with the driver's stderr unless it succeeds */
  build(targets: string[], extra?: string[]): Promise<BuildResult>;
  write(rel: string, text: string): void;
}

export interface BuildResult {
  /** target as asked (with sub-target) -> output path, absolute */
  outputs: Map<string, string>;
  stdout: string;
  stderr: string;
}

export function newProject(files: Record<string, string> = {}): Project {
  const root = freshBtrfsDir("rules-");
  for (const f of PROJECT_FILES) cpSync(join(repoRoot, f), join(root, f), { recursive: true });
  // machine-local configuration ([strata] debian_mirror), written by scripts/bootstrap.sh
  if (existsSync(join(repoRoot, ".buckconfig.local"))) cpSync(join(repoRoot, ".buckconfig.local"), join(root, ".buckconfig.local"));
  symlinkSync(join(repoRoot, "node_modules"), join(root, "node_modules"));
  const write = (rel: string, text: string): void => {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  };
  for (const [rel, text] of Object.entries(files)) write(rel, text);
  const local = (args: string[]): Promise<Result> =>
    execa("node", [strataBin, "local", ...args], {
      cwd: root,
      reject: false,
      extendEnv: false,
      env: projectEnv(),
    });
  return {
    root,
    local,
    write,
    async build(targets, extra = []) {
      const r = await local(["build", ...targets, "--show-output", ...extra]);
      if (r.exitCode !== 0) throw new Error(`build of ${targets.join(" ")} failed (exit ${r.exitCode}):\n${String(r.stderr)}`);
      return { outputs: parseShowOutput(String(r.stdout), root), stdout: String(r.stdout), stderr: String(r.stderr) };
    },
  };
}

/** The test's environment, with the working volume left to its default (`strata-out/` in the project). */
function projectEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== "STRATA_WORKING_VOLUME") env[k] = v;
  return env;
}

/** `--show-output` lines: `<target> <path>`, the path relative to the project root (as Buck2 prints it). */
export function parseShowOutput(stdout: string, root: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of stdout.split("\n")) {
    const m = /^(\S+)\s+(\S+)$/.exec(line.trim());
    if (m) out.set(m[1]!, resolve(root, m[2]!));
  }
  return out;
}

/** The output of `target` (exactly as asked, e.g. `//t:a[facts]`, or with the `root` cell prefix). */
export function outputOf(result: BuildResult, target: string): string {
  const hit = result.outputs.get(target) ?? result.outputs.get(`root${target}`);
  if (hit === undefined) throw new Error(`no output for ${target} in:\n${result.stdout}`);
  return hit;
}

export function readJson<T = unknown>(path: string): T {
  return JSON.parse(readFileSync(path, "utf8")) as T;
}

export const RULES_LOAD = 'load("//rules:defs.bzl", "feature", "image")\n';
