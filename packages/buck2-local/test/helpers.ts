// Copies a fixture project to a fresh temporary directory and runs `strata local ...` in it.
import { execa } from "execa";
import { cpSync, mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const strata = resolve(here, "..", "..", "..", "bin", "strata.mjs");

export function fixture(name: string, extra: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), `strata-driver-${name}-`));
  cpSync(join(here, "fixtures", name), dir, { recursive: true, filter: (src) => !src.includes("buck-out") });
  for (const [rel, content] of Object.entries(extra)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), content);
  }
  return dir;
}

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function local(cwd: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const r = await execa("node", [strata, "local", ...args], { cwd, reject: false, env: { ...process.env, ...env } });
  return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}
