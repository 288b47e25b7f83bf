// Every external program packaging runs goes through this module: the one place that knows which tool makes
// which bytes. Output bytes depend on these tools' versions (mksquashfs, mkfs.ext4, zstd, pigz), so when the layer's
// flavor has a build appliance (`strata package --appliance`, passed by the package rules), `withAppliance` makes
// every call of its callback run the appliance's tool (src/isolation/appliance.ts) instead of the host's; only
// `btrfs send`, which talks to the host's kernel about the host's subvolumes, stays on the host. `start` is the one
// place a program is started, and nothing else in src/packaging calls a program directly.
import { AsyncLocalStorage } from "node:async_hooks";
import { requestEnv } from "../request-context.js";
import { spawnInAppliance } from "../isolation/appliance.js";
import { spawn, type ChildProcess, type StdioNull, type StdioPipe } from "node:child_process";
import type { Readable } from "node:stream";
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

/** tools that always run on the host: `btrfs send` reads the host's subvolumes through the host's kernel */
const HOST_ONLY: readonly ToolName[] = ["btrfs"];

/** where tools run: the build appliance's tree, and the host paths the calls read (ro) and write (rw) */
export interface ApplianceTools {
  appliance: string;
  ro: string[];
  rw: string[];
  label: string;
}

const applianceStorage = new AsyncLocalStorage<ApplianceTools>();

/** runs `fn` with every tool call (except HOST_ONLY ones) taken from the build appliance */
export function withAppliance<T>(a: ApplianceTools, fn: () => Promise<T>): Promise<T> {
  return applianceStorage.run(a, fn);
}

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

type Stdin = StdioNull | StdioPipe | number | Readable;

function start(c: ToolCall, stdin: Stdin, stdout: "pipe" | number, stderrLimit = 64 * 1024): Started {
  const appliance = applianceStorage.getStore();
  const child =
    appliance !== undefined && !HOST_ONLY.includes(c.tool)
      ? spawnInAppliance({ appliance: appliance.appliance, argv: [c.tool, ...c.args], env: { LC_ALL: "C", TZ: "UTC", ...c.env }, cwd: c.cwd, ro: appliance.ro, rw: appliance.rw, label: appliance.label }, [stdin, stdout, "pipe"])
      : spawn(c.tool, c.args, { cwd: c.cwd, env: toolEnv(c.env), stdio: [stdin, stdout, "pipe"] });
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
  if (applianceStorage.getStore() !== undefined) return runStages(calls);
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

/**
 * The pipeline as separate processes whose standard streams are joined by kernel pipes (each stage gets the previous
 * stage's stdout as its stdin: the descriptor, not the data, passes through here). With a build appliance, stages
 * run in different places (`btrfs send` on the host, the compressor in the appliance), which one bash cannot do.
 */
async function runStages(calls: ToolCall[]): Promise<void> {
  const first = calls[0]!;
  const last = calls[calls.length - 1]!;
  const io = openFds({ stdinFile: first.stdinFile, stdoutFile: last.stdoutFile, stdoutAppend: last.stdoutAppend, tool: first.tool, args: [] });
  const started: Started[] = [];
  try {
    for (const [i, c] of calls.entries()) {
      const stdin: Stdin = i === 0 ? io.stdin : started[i - 1]!.child.stdout!;
      const stdout = i === calls.length - 1 ? io.stdout : "pipe";
      started.push(start(c, stdin, stdout));
      // the child has its own copy now; ours would keep the pipe open after the reader died (no SIGPIPE for the writer)
      if (i > 0) started[i - 1]!.child.stdout!.destroy();
    }
    // a stage that fails closes its pipe, and the others see EOF or EPIPE: report the first stage that failed
    const results = await Promise.allSettled(started.map((s) => s.done));
    const failed = results.find((r) => r.status === "rejected");
    if (failed !== undefined) {
      const e = failed.reason as unknown;
      if (e instanceof ToolFailure) throw new ToolFailure(calls.map(describe).join(" | "), e.stderr, e.exitCode);
      throw e;
    }
  } finally {
    io.close();
  }
}
