// The working volume of a rootless build (uid 0 of a user namespace): it cannot mount a loopback image, so
// layers are btrfs subvolumes when the directory already is on a btrfs the user can write (unprivileged subvolume
// create and snapshot), and plain directories (the copy backend) elsewhere, which is said once per process.
import type { SnapshotBackend } from "./backend.js";
import { btrfsBackend } from "./btrfs.js";
import { copyBackend } from "./copy.js";
import { isOnBtrfs } from "./fstype.js";
import { requestStderr } from "../request-context.js";

let told = false;

export function rootlessStore(dir: string): { store: string; backend: SnapshotBackend } {
  if (isOnBtrfs(dir)) return { store: dir, backend: btrfsBackend };
  if (!told) {
    told = true;
    requestStderr().write(
      `strata: rootless build on a working volume that is not btrfs (${dir}): layers are full copies of their parents (the copy backend); put the working volume on a btrfs you can write (STRATA_WORKING_VOLUME) for O(1) child layers\n`,
    );
  }
  return { store: dir, backend: copyBackend };
}
