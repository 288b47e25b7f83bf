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

/** `sh_out(name, cmd, srcs)`: a rule whose action runs `sh -c CMD OUT SRCS...`, for tests of the executor and cache */
export const SH_OUT_RULE = `def _impl(ctx):
    out = ctx.actions.declare_output("out")
    ctx.actions.run(cmd_args(["sh", "-c", ctx.attrs.cmd, out.as_output(), ctx.attrs.srcs]), category = "sh")
    return [DefaultInfo(default_output = out)]

sh_out = rule(impl = _impl, attrs = {"cmd": attrs.string(), "srcs": attrs.list(attrs.source(), default = [])})
`;
