import { statfsSync } from "node:fs";

const BTRFS_SUPER_MAGIC = 0x9123683e;

export function isOnBtrfs(path: string): boolean {
  try {
    return statfsSync(path).type >>> 0 === BTRFS_SUPER_MAGIC;
  } catch {
    return false;
  }
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}
