// Determinism after an opaque command (genrule): the command, and any walk over its tree afterwards, leave
// times behind (writes set mtimes; reads, readdir and readlink update atimes under relatime). This sets
// mtime = atime = epoch on every path of the tree that differs, children before their directory (reading a
// directory updates its atime), staying on the tree's own filesystem.
import { lstatSync, lutimesSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** `mtimeMoved` hears of every path whose mtime this changed (an atime alone is no change of the tree's content) */
export function normaliseTreeTimes(dir: string, epoch: number, mtimeMoved?: (hostPath: string) => void): void {
  const ms = epoch * 1000;
  const st = lstatSync(dir);
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = lstatSync(p);
    if (s.isDirectory()) {
      if (s.dev === st.dev) normaliseTreeTimes(p, epoch, mtimeMoved);
    } else if (s.mtimeMs !== ms || s.atimeMs !== ms) {
      if (s.mtimeMs !== ms) mtimeMoved?.(p);
      lutimesSync(p, epoch, epoch);
    }
  }
  const after = lstatSync(dir);
  if (after.mtimeMs !== ms || after.atimeMs !== ms) {
    if (after.mtimeMs !== ms) mtimeMoved?.(dir);
    lutimesSync(dir, epoch, epoch);
  }
}
