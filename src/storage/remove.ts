// Removes a layer tree whichever backend made it.
import { existsSync, statSync } from "node:fs";
import { rm } from "node:fs/promises";
import { btrfsBackend } from "./btrfs.js";
import { copyBackend } from "./copy.js";
import { isOnBtrfs } from "./fstype.js";

export async function removeTree(path: string): Promise<void> {
  if (existsSync(path) && isOnBtrfs(path) && statSync(path).ino === 256) await btrfsBackend.remove(path);
  else await copyBackend.remove(path);
  await rm(`${path}.readonly`, { force: true });
}
