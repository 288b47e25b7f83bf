// Digests of action inputs for the action cache: file contents (and the executable bit), directory trees, and for
// symlinks that actions produced the link text only (Buck2 records such links as "external symlinks").
import { createHash } from "node:crypto";
import { lstat, readdir, readFile, readlink, stat } from "node:fs/promises";
import { join } from "node:path";

async function treeDigest(abs: string, followTop: boolean): Promise<string> {
  const st = followTop ? await stat(abs) : await lstat(abs);
  if (st.isSymbolicLink()) return `link:${await readlink(abs)}`;
  if (st.isDirectory()) {
    const h = createHash("sha256");
    for (const name of (await readdir(abs)).sort()) {
      h.update(`${name}\0${await treeDigest(join(abs, name), false)}\0`);
    }
    return `dir:${h.digest("hex")}`;
  }
  const h = createHash("sha256").update(await readFile(abs));
  return `file:${st.mode & 0o111 ? "x" : "-"}:${h.digest("hex")}`;
}

/** Digest of one input. `produced`: the path is an output of an action (a top-level symlink there is hashed by its text). */
export async function inputDigest(root: string, path: string, produced: boolean): Promise<string> {
  const abs = join(root, path);
  try {
    const st = await lstat(abs);
    if (st.isSymbolicLink() && produced) return `link:${await readlink(abs)}`;
    return await treeDigest(abs, true);
  } catch (e) {
    return `missing:${(e as NodeJS.ErrnoException).code ?? "?"}`;
  }
}
