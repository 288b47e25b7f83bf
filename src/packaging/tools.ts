// Every external program packaging runs goes through this module: the one place that knows which host tool makes
// which bytes. Output bytes depend on these tools' versions (mksquashfs, mkfs.ext4, zstd, pigz), so a later change
// can run them inside a pinned build appliance layer instead of the host (see docs/packaging.md): that change
// replaces `start` (every call passes through it), and nothing else in src/packaging calls a program directly.
import { requestEnv } from "../request-context.js";
import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync } from "node:fs";

/** the programs packaging uses, and the Debian package that has each */
export const TOOLS = {
  bash: "bash",
  tar: "tar",
  zstd: "zstd",
  pigz: "pigz",
  cpio: "cpio",
  mksquashfs: "squashfs-tools",
  "mkfs.ext4": "e2fsprogs",
  debugfs: "e2fsprogs",
  dumpe2fs: "e2fsprogs",
  btrfs: "btrfs-progs",
} as const;
export type ToolName = keyof typeof TOOLS;

export interface ToolCall {
  tool: ToolName;
  args: string[];
  cwd?: string;
  env?: Record<string, string>;
  /** a file to read standard input from */
  stdinFile?: string;
  /** a file to write standard output to (created or truncated) */
  stdoutFile?: string;
  /** append to stdoutFile instead of truncating it */
  stdoutAppend?: boolean;
}

export class ToolFailure extends Error {
  constructor(
    readonly call: string,
    readonly stderr: string,
    readonly exitCode: number | null,
  ) {
    super(`${call} failed (${exitCode === null ? "killed" : `exit code ${exitCode}`})${stderr.trim() ? `: ${stderr.trim()}` : ""}`);
  }
}

/** the environment every tool runs with: fixed locale and timezone, so no tool output depends on the host's settings */
function toolEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: requestEnv()["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin", LC_ALL: "C", TZ: "UTC", ...extra };
}

function describe(c: ToolCall): string {
  return [c.tool, ...c.args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(" ");
}

interface Started {
  child: ChildProcess;
  done: Promise<void>;
}

function start(c: ToolCall, stdin: "ignore" | "pipe" | number, stdout: "pipe" | number, stderrLimit = 64 * 1024): Started {
  const child = spawn(c.tool, c.args, { cwd: c.cwd, env: toolEnv(c.env), stdio: [stdin, stdout, "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => {
    if (stderr.length < stderrLimit) stderr += d.toString("utf8");
  });
  const done = new Promise<void>((resolve, reject) => {
    child.on("error", (e: NodeJS.ErrnoException) =>
      reject(new ToolFailure(describe(c), e.code === "ENOENT" ? `${c.tool} is not installed (Debian package ${TOOLS[c.tool]})` : e.message, null)),
    );
    child.on("close", (code) => (code === 0 ? resolve() : reject(new ToolFailure(describe(c), stderr, code))));
  });
  return { child, done };
}

function openFds(c: ToolCall): { stdin: "ignore" | number; stdout: "pipe" | number; close: () => void } {
  const fds: number[] = [];
  const stdin = c.stdinFile !== undefined ? fds[fds.push(openSync(c.stdinFile, "r")) - 1]! : "ignore";
  const stdout = c.stdoutFile !== undefined ? fds[fds.push(openSync(c.stdoutFile, c.stdoutAppend === true ? "a" : "w")) - 1]! : "pipe";
  return { stdin, stdout, close: () => fds.forEach((fd) => closeSync(fd)) };
}

/** runs one tool to completion; returns its standard output (empty when redirected to a file) */
export async function runTool(c: ToolCall): Promise<Buffer> {
  const io = openFds(c);
  try {
    const s = start(c, io.stdin, io.stdout);
    const chunks: Buffer[] = [];
    s.child.stdout?.on("data", (d: Buffer) => chunks.push(d));
    await s.done;
    return Buffer.concat(chunks);
  } finally {
    io.close();
  }
}

/** a word for bash: single-quoted, so nothing in it is expanded */
function shellWord(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * runs tools as a pipeline (`a | b | c`): the first reads `first.stdinFile`, the last writes `last.stdoutFile`.
 * bash connects them with kernel pipes, so the data never passes through this process (that cost 2.5x on a
 * 100 MB tar.zst); `pipefail` makes any stage's failure the pipeline's.
 */
export async function runPipeline(calls: ToolCall[]): Promise<void> {
  const stages = calls.map((c, i) => {
    const env = Object.entries(c.env ?? {}).map(([k, v]) => `${k}=${shellWord(v)} `).join("");
    const cd = c.cwd !== undefined ? `cd ${shellWord(c.cwd)} && ` : "";
    const cmd = [c.tool, ...c.args].map(shellWord).join(" ");
    const stdin = i === 0 && c.stdinFile !== undefined ? ` < ${shellWord(c.stdinFile)}` : "";
    const stdout = i === calls.length - 1 && c.stdoutFile !== undefined ? ` ${c.stdoutAppend === true ? ">>" : ">"} ${shellWord(c.stdoutFile)}` : "";
    return `( ${cd}${env}exec ${cmd}${stdin}${stdout} )`;
  });
  try {
    await runTool({ tool: "bash", args: ["-c", `set -o pipefail; ${stages.join(" | ")}`] });
  } catch (e) {
    if (e instanceof ToolFailure) throw new ToolFailure(calls.map(describe).join(" | "), e.stderr, e.exitCode);
    throw e;
  }
}
