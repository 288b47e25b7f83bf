// Layers as btrfs subvolumes: snapshots are O(1) and copy-on-write, the read-only flag is enforced by the kernel.
import { run as exec } from "./exec.js";
import { existsSync, statSync } from "node:fs";
import { rm } from "node:fs/promises";
import type { SnapshotBackend } from "./backend.js";
import { isRootless } from "./userns.js";

async function btrfs(args: string[]): Promise<string> {
  const r = await exec("btrfs", args);
  if (r.exitCode !== 0) {
    throw new Error(`btrfs ${args.join(" ")} failed (exit ${r.exitCode}): ${String(r.stderr).trim()}`);
  }
  return String(r.stdout);
}

/** the first inode of every btrfs subvolume is 256 */
export async function isSubvolume(path: string): Promise<boolean> {
  try {
    return statSync(path).ino === 256;
  } catch {
    return false;
  }
}

export const btrfsBackend: SnapshotBackend = {
  kind: "btrfs",
  async createEmpty(path) {
    await btrfs(["subvolume", "create", path]);
  },
  async snapshot(src, dst) {
    if (await isSubvolume(src)) {
      await btrfs(["subvolume", "snapshot", src, dst]);
      return;
    }
    // a parent built by the copy backend: a fresh subvolume filled by a (reflinked where possible) copy
    await btrfs(["subvolume", "create", dst]);
    const r = await exec("cp", ["-a", "--reflink=auto", "--", `${src}/.`, dst]);
    if (r.exitCode !== 0) throw new Error(`cp -a ${src} ${dst} failed: ${String(r.stderr).trim()}`);
  },
  async setReadOnly(path) {
    await btrfs(["property", "set", "-ts", path, "ro", "true"]);
  },
  async isReadOnly(path) {
    const out = await btrfs(["property", "get", "-ts", path, "ro"]);
    return out.trim() === "ro=true";
  },
  async remove(path) {
    if (!existsSync(path)) return;
    if (await isSubvolume(path)) {
      const r = await exec("btrfs", ["subvolume", "delete", path]);
      if (r.exitCode === 0) return;
      // without CAP_SYS_ADMIN of the initial namespace (rootless) the delete ioctl needs user_subvol_rm_allowed;
      // otherwise the tree is emptied and the subvolume removed with rmdir, which the kernel allows its owner
      if (!isRootless()) throw new Error(`btrfs subvolume delete ${path} failed (exit ${r.exitCode}): ${String(r.stderr).trim()}`);
      await btrfs(["property", "set", "-ts", path, "ro", "false"]);
      await rm(path, { recursive: true, force: true });
    } else {
      // a half-created subvolume never became one, or the tree is a plain directory
      await rm(path, { recursive: true, force: true });
    }
  },
};
