// Fills a directory that this build has just created inside the image with a copy of a host tree.
// Because the directory is new, nothing below it can be a symlink we did not make ourselves, so each entry's host
// path is simply `<dir>/<rel>`: no per-file resolution through the image is needed. Files are cloned
// (reflink, falling back to a copy) and get owner, mode and mtime = atime = epoch; directories get theirs once all
// their entries exist, so adding entries cannot disturb their times.
import { constants, copyFileSync, mkdirSync, symlinkSync } from "node:fs";
import { joinImage } from "./path.js";
import { applyMeta, type Meta } from "./fsops.js";
import type { Resolved } from "./resolve.js";

export interface TreeItem {
  /** path below the tree root, "/"-separated, never "" */
  rel: string;
  kind: "file" | "directory" | "symlink";
  mode: number;
  target?: string;
}

/**
 * Copies `items` (parents before children) from `srcRoot` into the fresh directory `dir`, reporting each written
 * image path through `touched`. Does not set the metadata of `dir` itself.
 */
export function fillFreshDir(dir: Resolved, srcRoot: string, items: readonly TreeItem[], owner: Omit<Meta, "mode">, touched: (imagePath: string) => void): void {
  const dirs: { host: string; mode: number }[] = [];
  for (const item of items) {
    const host = `${dir.hostPath}/${item.rel}`;
    if (item.kind === "directory") {
      mkdirSync(host, { mode: 0o700 });
      dirs.push({ host, mode: item.mode });
    } else if (item.kind === "symlink") {
      symlinkSync(item.target!, host);
      applyMeta(host, { ...owner, mode: 0o777 }, true);
    } else {
      // EXCL: never write through anything already there (nothing should be: the directory is new)
      copyFileSync(`${srcRoot}/${item.rel}`, host, constants.COPYFILE_FICLONE | constants.COPYFILE_EXCL);
      applyMeta(host, { ...owner, mode: item.mode });
    }
    touched(joinImage(dir.imagePath, item.rel));
  }
  for (const d of dirs) applyMeta(d.host, { ...owner, mode: d.mode });
}
