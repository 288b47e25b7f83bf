// Resolves image paths to host paths inside an image root, following symlinks component by component with
// lstat/readlink. The kernel never follows a link here, so an absolute link in the image (`/etc/x -> /tmp`)
// means `<root>/tmp`, never the host's `/tmp`; a link that climbs above the root is refused.
import { lstatSync, lutimesSync, readlinkSync, type Stats } from "node:fs";
import { join } from "node:path";
import { ImagePathError, components, normalizeImagePath, symlinkDestination, baseName, parentOf, joinImage } from "./path.js";

const MAX_LINKS = 40;

export interface Resolved {
  /** the image path after following symlinks */
  imagePath: string;
  /** `<root><imagePath>` */
  hostPath: string;
}

/** `<root><imagePath>` as text: only for paths already resolved in the image (the kernel follows every link on it) */
function hostPathOf(root: string, imagePath: string): string {
  return imagePath === "/" ? root : join(root, imagePath);
}

/** lstat, or null when the path (or a parent of it) does not exist */
export function lstatOrNull(p: string): Stats | null {
  try {
    return lstatSync(p);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT" || (e as NodeJS.ErrnoException).code === "ENOTDIR") return null;
    throw e;
  }
}

/** readlink moves a link's atime under relatime; put it back so resolving never changes the image. */
function readLinkKeepingAtime(host: string, st: Stats): string {
  const text = readlinkSync(host, "utf8");
  try {
    lutimesSync(host, st.atimeMs / 1000, st.mtimeMs / 1000);
  } catch (e) {
    // a read-only tree (a published layer read by clone) has no atime to restore
    if ((e as NodeJS.ErrnoException).code !== "EROFS") throw e;
  }
  return text;
}

/**
 * Follows every symlink on the way to `path` (the last component too when `followLast`).
 * Components that do not exist are kept as they are, so the result also names paths about to be created.
 */
export function resolveInImage(root: string, path: string, followLast = true): Resolved {
  let pending = components(normalizeImagePath(path));
  const done: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const [c, ...rest] = pending as [string, ...string[]];
    const candidate = "/" + [...done, c].join("/");
    const isLast = rest.length === 0;
    const st = isLast && !followLast ? null : lstatOrNull(hostPathOf(root, candidate));
    if (st?.isSymbolicLink()) {
      if (++links > MAX_LINKS) throw new ImagePathError(`too many levels of symbolic links resolving "${path}"`);
      const dest = symlinkDestination(candidate, readLinkKeepingAtime(hostPathOf(root, candidate), st));
      if (dest === null) {
        throw new ImagePathError(`"${path}" resolves through the symlink "${candidate}" to a path outside the image`);
      }
      pending = [...components(dest), ...rest];
      done.length = 0;
      continue;
    }
    done.push(c);
    pending = rest;
  }
  const imagePath = "/" + done.join("/");
  return { imagePath, hostPath: hostPathOf(root, imagePath) };
}

/** Resolves the parent of `path` through symlinks and keeps the last component as it is (never followed). */
export function resolveParentInImage(root: string, path: string): Resolved {
  const p = normalizeImagePath(path);
  if (p === "/") return { imagePath: "/", hostPath: root };
  const parent = resolveInImage(root, parentOf(p), true);
  const imagePath = joinImage(parent.imagePath, baseName(p));
  return { imagePath, hostPath: hostPathOf(root, imagePath) };
}

/**
 * Image paths taken literally, as facts record them: a path exists only when each of its ancestors is a real
 * directory of the image, never a symlink, so the host path handed to the kernel cannot lead out of the root.
 * Memoises the directories checked: use one instance only while the tree's directories do not change (facts
 * derivation, time normalisation).
 */
export class LiteralPaths {
  private readonly dirs = new Set<string>(["/"]);
  constructor(readonly root: string) {}

  /** host path of `imagePath` (its last component not followed), or null when an ancestor is missing, a symlink or not a directory */
  host(imagePath: string): string | null {
    const p = normalizeImagePath(imagePath);
    if (p !== "/" && !this.isRealDir(parentOf(p))) return null;
    return hostPathOf(this.root, p);
  }

  /** lstat of `imagePath` taken literally; null when it does not exist as such */
  lstat(imagePath: string): Stats | null {
    const h = this.host(imagePath);
    return h === null ? null : lstatOrNull(h);
  }

  private isRealDir(p: string): boolean {
    if (this.dirs.has(p)) return true;
    if (!this.isRealDir(parentOf(p))) return false;
    if (lstatOrNull(hostPathOf(this.root, p))?.isDirectory() !== true) return false;
    this.dirs.add(p);
    return true;
  }
}
