// Layers as plain directories, for machines without btrfs or root. A snapshot is `cp -a --reflink=auto`
// (cheap on reflink-capable filesystems, a full copy elsewhere). Read-only is a marker file beside the tree
// (`<tree>.readonly`): strata never writes to a sealed tree, but the kernel does not stop other writers.
import { run as exec } from "./exec.js";
import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import type { SnapshotBackend } from "./backend.js";

const marker = (path: string): string => `${path}.readonly`;

export const copyBackend: SnapshotBackend = {
  kind: "copy",
  async createEmpty(path) {
    await mkdir(path, { mode: 0o755 });
  },
  async snapshot(src, dst) {
    const r = await exec("cp", ["-a", "--reflink=auto", "--", src, dst]);
    if (r.exitCode !== 0) throw new Error(`cp -a ${src} ${dst} failed: ${String(r.stderr).trim()}`);
  },
  async setReadOnly(path) {
    await writeFile(marker(path), "");
  },
  async isReadOnly(path) {
    return existsSync(marker(path));
  },
  async remove(path) {
    await rm(path, { recursive: true, force: true });
    await rm(marker(path), { force: true });
  },
};
