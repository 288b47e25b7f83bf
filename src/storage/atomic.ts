// Writes that are all-or-nothing for readers and crashes: write beside the target under a unique name, then rename.
import { randomBytes } from "node:crypto";
import { open, rename, rm, symlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export function tempSibling(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`);
}

export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = tempSibling(path);
  try {
    const fh = await open(tmp, "w", 0o644);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** make `path` a symlink to `target` in one step: a reader sees the old link or the new one, never neither */
export async function replaceSymlink(path: string, target: string): Promise<void> {
  const tmp = tempSibling(path);
  await symlink(target, tmp);
  try {
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

