// The working volume: where layers live. Default `strata-out/` under the current directory. When that directory
// is not on btrfs and we are root, a loopback btrfs image is created under it once and mounted at `<dir>/btrfs`
// (under a lock, so concurrent runners neither format nor mount twice). Rootless (uid 0 of a user namespace), layers
// are btrfs subvolumes where the directory is on btrfs and plain directories elsewhere (rootless.ts).
import { run as exec } from "./exec.js";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { StrataError } from "../errors.js";
import type { BackendChoice, SnapshotBackend } from "./backend.js";
import { btrfsBackend } from "./btrfs.js";
import { copyBackend } from "./copy.js";
import { isOnBtrfs, isRoot } from "./fstype.js";
import { withLock } from "./lock.js";
import { requestCwd, requestEnv } from "../request-context.js";
import { isRootless } from "./userns.js";
import { rootlessStore } from "./rootless.js";

export const DEFAULT_WORKING_VOLUME = "strata-out";
const LOOPBACK_IMAGE = "btrfs.img";
const LOOPBACK_MOUNT = "btrfs";

export interface WorkingVolume {
  /** the directory the user named */
  dir: string;
  /** where layers, facts and the output registry live (dir itself, or the loopback mount under it) */
  store: string;
  backend: SnapshotBackend;
  layersDir: string;
  outputsDir: string;
}

export interface VolumeOptions {
  dir?: string;
  backend?: string;
  /** label for error messages */
  label?: string;
}

export function resolveVolumeDir(dir?: string): string {
  return resolve(requestCwd(), dir ?? requestEnv().STRATA_WORKING_VOLUME ?? DEFAULT_WORKING_VOLUME);
}

export function resolveBackendChoice(choice: string | undefined, label: string): BackendChoice {
  const c = choice ?? requestEnv().STRATA_BACKEND ?? "auto";
  if (c === "auto" || c === "btrfs" || c === "copy") return c;
  throw new StrataError({ label, message: "unknown storage backend", expected: "auto, btrfs or copy", found: JSON.stringify(c) });
}

async function run(label: string, cmd: string, args: string[]): Promise<void> {
  const r = await exec(cmd, args);
  if (r.exitCode !== 0) {
    throw new StrataError({ label, message: `could not provision the loopback btrfs working volume: ${cmd} ${args.join(" ")} failed`, found: String(r.stderr).trim() });
  }
}

/** mounts (creating it the first time) the loopback btrfs image under `dir`; returns the mount point */
async function ensureLoopback(dir: string, label: string): Promise<string> {
  const mnt = join(dir, LOOPBACK_MOUNT);
  if (isOnBtrfs(mnt)) return mnt;
  await withLock(join(dir, ".provision.lock"), async () => {
    if (isOnBtrfs(mnt)) return; // another runner mounted it while we waited
    mkdirSync(mnt, { recursive: true });
    const img = join(dir, LOOPBACK_IMAGE);
    if (!existsSync(img)) {
      // a runner killed while formatting left its image behind (sparse, but up to the full size): under this lock
      // no other runner is formatting, so every one is a leftover
      for (const n of readdirSync(dir)) if (n.startsWith(`${LOOPBACK_IMAGE}.tmp-`)) rmSync(join(dir, n), { force: true });
      const tmp = `${img}.tmp-${process.pid}`;
      // sparse: only what layers use takes disk space
      await run(label, "truncate", ["-s", requestEnv().STRATA_VOLUME_SIZE ?? "64G", tmp]);
      await run(label, "mkfs.btrfs", ["-q", tmp]);
      renameSync(tmp, img);
    }
    await run(label, "mount", ["-o", "loop", img, mnt]);
  });
  return mnt;
}

export async function openWorkingVolume(opts: VolumeOptions = {}): Promise<WorkingVolume> {
  const label = opts.label ?? "strata";
  const dir = resolveVolumeDir(opts.dir);
  const choice = resolveBackendChoice(opts.backend, label);
  mkdirSync(dir, { recursive: true });
  let store: string;
  let backend: SnapshotBackend;
  if (choice === "copy") {
    store = dir;
    backend = copyBackend;
  } else if (isRootless()) {
    // a user namespace cannot mount a loopback image: btrfs where DIR already is one, plain directories elsewhere
    ({ store, backend } = rootlessStore(dir));
  } else if (!isRoot()) {
    // strata's entry (runner/main.ts) puts an ordinary user into a user namespace first, unless told not to
    throw new StrataError({
      label,
      message: "not root, and rootless builds are off (STRATA_ROOTLESS or [strata] rootless = false, or strata was not started through bin/strata.mjs)",
      expected: "uid 0, or uid 0 of strata's user namespace (a rootless build)",
      found: `uid ${process.getuid?.() ?? "?"} in the initial user namespace`,
      notes: [
        "drop the setting: an ordinary user then builds inside a user namespace (docs/isolation.md, rootless builds)",
        "--backend copy (or STRATA_BACKEND=copy) builds with plain directories instead, as long as every path is owned by you",
      ],
    });
  } else if (isOnBtrfs(dir)) {
    store = dir;
    backend = btrfsBackend;
  } else {
    store = await ensureLoopback(dir, label);
    backend = btrfsBackend;
  }
  const layersDir = join(store, "layers");
  const outputsDir = join(store, "outputs");
  mkdirSync(layersDir, { recursive: true });
  mkdirSync(outputsDir, { recursive: true });
  return { dir, store, backend, layersDir, outputsDir };
}
