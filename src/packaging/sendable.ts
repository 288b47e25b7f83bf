// `btrfs send` works for two subvolumes, and only with CAP_SYS_ADMIN of the initial user namespace (not rootless).
import { isSubvolume } from "../storage/btrfs.js";
import { isRootless } from "../storage/userns.js";

export async function sendable(...trees: string[]): Promise<boolean> {
  if (isRootless()) return false;
  for (const t of trees) if (!(await isSubvolume(t))) return false;
  return true;
}
