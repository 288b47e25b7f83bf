// Removes a layer tree whichever backend made it.
import { rm } from "node:fs/promises";
import { btrfsBackend } from "./btrfs.js";
import { copyBackend } from "./copy.js";
import { isOnBtrfs } from "./fstype.js";

export async function removeTree(path: string): Promise<void> {
  // on btrfs the backend tells a subvolume from a plain directory itself (a copy-backend parent's tree)
  if (isOnBtrfs(path)) await btrfsBackend.remove(path);
  else await copyBackend.remove(path);
  await rm(`${path}.readonly`, { force: true });
}
