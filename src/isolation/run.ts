// Runs a command with an image as its root filesystem: bubblewrap in fresh mount, pid, ipc, uts, cgroup and
// network namespaces (loopback only), as a user of the image with its supplementary groups, with a clean
// environment, a minimal /proc and /dev, a fresh /tmp, and no host path except the read-only inputs named.
import { spawn } from "node:child_process";
import { constants as osConstants } from "node:os";
import { realpathSync, statSync } from "node:fs";
import { StrataError } from "../errors.js";
import { normalizeImagePath } from "../image/path.js";
import { bwrapArgs } from "./bwrap-args.js";
import { CONTAINER_PATH, containerEnv } from "./env.js";
import { checkCommand } from "./command.js";
import { resolveIdentity } from "./identity.js";
import { prepareMountTargets, type MountTarget } from "./mountpoints.js";
import type { IsolationOptions, IsolationResult } from "./options.js";
import { identityUserNamespace } from "./userns.js";
import { checkMapped } from "./mapped.js";

export type { IsolationOptions, IsolationResult } from "./options.js";

const USERNS_FD = 3;
const ARGS_FD = 4;

/** the shell's convention for a process killed by `signal` */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + ((osConstants.signals as Record<string, number>)[signal] ?? 0);
}

function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return signal !== null ? signalExitCode(signal) : 128;
}

export async function runIsolated(opts: IsolationOptions): Promise<IsolationResult> {
  const label = opts.label ?? "strata";
  if (opts.argv.length === 0) throw new StrataError({ label, message: "no command to run", expected: "a non-empty argv list", found: "[]" });
  if (process.getuid?.() !== 0) {
    throw new StrataError({
      label,
      message: "commands in an image run from uid 0 (root, or root of strata's user namespace for a rootless build); run strata through bin/strata.mjs, which enters that namespace for an ordinary user",
      expected: "uid 0",
      found: `uid ${process.getuid?.() ?? "?"}`,
      notes: ["commands run in namespaces that map the image's own users onto the ids strata owns"],
    });
  }
  const root = realpathSync(opts.root);
  const writable = opts.writable ?? false;
  const identity = resolveIdentity(root, opts.user ?? "nobody", label);
  checkMapped(identity, label);
  const layerMounts = (opts.layerMounts ?? []).map((m) => ({ mountpoint: normalizeImagePath(m.mountpoint), source: realpathSync(m.source) }));
  const roBinds = (opts.roBinds ?? []).map((b) => ({ host: realpathSync(b.host), image: normalizeImagePath(b.image) }));
  const targets: MountTarget[] = [
    { path: "/proc", kind: "dir" },
    { path: "/dev", kind: "dir" },
    { path: "/tmp", kind: "dir" },
    ...layerMounts.map((m) => ({ path: m.mountpoint, kind: "dir" as const })),
    ...roBinds.map((b) => ({ path: b.image, kind: statSync(b.host).isDirectory() ? ("dir" as const) : ("file" as const) })),
  ];
  const prepared = prepareMountTargets(root, targets, writable, label);
  try {
    const [procPath, devPath, tmpPath, ...rest] = prepared.resolved as [string, string, string, ...string[]];
    const env = containerEnv(identity, opts.epoch ?? 0, opts.env);
    checkCommand({
      root,
      argv: opts.argv,
      binds: roBinds.map((b, i) => ({ host: b.host, image: rest[layerMounts.length + i]! })),
      mounts: rest.slice(0, layerMounts.length),
      path: env.PATH ?? CONTAINER_PATH,
      label,
    });
    const args = bwrapArgs({
      root,
      writable,
      identity,
      env,
      cwd: opts.cwd ?? "/",
      layerMounts: layerMounts.map((m, i) => ({ ...m, mountpoint: rest[i]! })),
      roBinds: roBinds.map((b, i) => ({ ...b, image: rest[layerMounts.length + i]! })),
      procPath,
      devPath,
      tmpPath,
      interactive: opts.interactive ?? false,
      argv: opts.argv,
      usernsFd: USERNS_FD,
    });
    const userns = await identityUserNamespace(identity.uid, identity.gid);
    try {
      return await spawnBwrap(identity.uid, identity.gid, identity.groups, args, opts.argv, userns.fd, opts);
    } finally {
      userns.close();
    }
  } finally {
    prepared.cleanup();
  }
}

function spawnBwrap(uid: number, gid: number, groups: number[], args: string[], argv: string[], usernsFd: number, opts: IsolationOptions): Promise<IsolationResult> {
  const pipe = opts.stdio === "pipe";
  // bwrap reads its options from a pipe, so host paths never show up in the container's /proc/1/cmdline.
  const setpriv = [`--reuid=${uid}`, `--regid=${gid}`, groups.length > 0 ? `--groups=${groups.join(",")}` : "--clear-groups", "--", "bwrap", "--args", String(ARGS_FD), "--", ...argv];
  const child = spawn("setpriv", setpriv, {
    cwd: "/",
    env: {},
    stdio: [pipe ? "pipe" : "inherit", pipe ? "pipe" : "inherit", pipe ? "pipe" : "inherit", usernsFd, "pipe"],
  });
  let stdout = "";
  let stderr = "";
  if (pipe) {
    child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    child.stdin!.on("error", () => {});
    child.stdin!.end(opts.input ?? "");
  }
  const argsPipe = child.stdio[ARGS_FD] as NodeJS.WritableStream;
  argsPipe.end(args.map((a) => a + "\0").join(""));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ exitCode: exitCodeOf(code, signal), stdout, stderr }));
  });
}
