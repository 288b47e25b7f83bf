// The working volume of a rootless build (uid 0 of a user namespace): it cannot mount a loopback image, so
// layers are btrfs subvolumes when the directory already is on a btrfs the user can write (unprivileged subvolume
// create and snapshot), and plain directories (the copy backend) elsewhere. The entry says which, once per build
// (copyBackendNotice).
import { existsSync } from "node:fs";
import { dirname } from "node:path";
import type { SnapshotBackend } from "./backend.js";
import { btrfsBackend } from "./btrfs.js";
import { copyBackend } from "./copy.js";
import { isOnBtrfs } from "./fstype.js";

export function rootlessStore(dir: string): { store: string; backend: SnapshotBackend } {
  return isOnBtrfs(dir) ? { store: dir, backend: btrfsBackend } : { store: dir, backend: copyBackend };
}

/** the line a rootless build prints once when its working volume `dir` is not on btrfs, else undefined */
export function copyBackendNotice(dir: string): string | undefined {
  let probe = dir;
  while (!existsSync(probe) && dirname(probe) !== probe) probe = dirname(probe);
  if (isOnBtrfs(probe)) return undefined;
  return `strata: rootless build, and the working volume ${dir} is not on btrfs: each layer is a full copy of its parent (the copy backend); a working volume on a btrfs you can write (STRATA_WORKING_VOLUME) makes child layers O(1)\n`;
}
