// Writing inside an image root. Parents are resolved within the root (resolve.ts); the final component is
// never followed: an existing symlink there is replaced, not written through. Every written path gets the
// requested owner and mode and mtime = atime = epoch.
import { chmodSync, constants, lchownSync, lutimesSync, mkdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync, copyFileSync } from "node:fs";
import { lstatOrNull, resolveInImage, resolveParentInImage, type Resolved } from "./resolve.js";
import { ImagePathError, ancestors, normalizeImagePath } from "./path.js";

export interface Meta {
  mode: number;
  uid: number;
  gid: number;
  epoch: number;
}

/** Owner, then mode (chown clears set-id bits), then times. Symlinks get owner and times only. */
export function applyMeta(hostPath: string, meta: Meta, isSymlink = false): void {
  lchownSync(hostPath, meta.uid, meta.gid);
  if (!isSymlink) chmodSync(hostPath, meta.mode & 0o7777);
  lutimesSync(hostPath, meta.epoch, meta.epoch);
}

function hostParent(r: Resolved): string {
  return r.hostPath.slice(0, r.hostPath.lastIndexOf("/")) || "/";
}

/** Adding or removing an entry bumps the parent directory's mtime; put it back to the epoch for determinism. */
function settleParent(r: Resolved, epoch: number): void {
  if (r.imagePath !== "/") touchTimes(hostParent(r), epoch);
}

function requireParentDir(r: Resolved, what: string): void {
  const parent = hostParent(r);
  const st = lstatOrNull(parent);
  if (st === null || !st.isDirectory()) {
    throw new ImagePathError(`cannot create ${what} "${r.imagePath}": its parent is not a directory in the image`);
  }
}

/** Removes whatever non-directory sits at the host path (a symlink is removed, never followed). */
function clearNonDir(hostPath: string): void {
  const st = lstatOrNull(hostPath);
  if (st !== null && !st.isDirectory()) unlinkSync(hostPath);
  else if (st !== null) throw new ImagePathError(`"${hostPath}" is a directory`);
}

/** Puts a new non-directory entry, made by `create`, at `path` (replacing a non-directory there) with its metadata. */
function placeEntry(root: string, path: string, what: "file" | "symlink", meta: Meta, create: (hostPath: string) => void): Resolved {
  const r = resolveParentInImage(root, path);
  requireParentDir(r, what);
  clearNonDir(r.hostPath);
  create(r.hostPath);
  applyMeta(r.hostPath, meta, what === "symlink");
  settleParent(r, meta.epoch);
  return r;
}

export function writeFileIn(root: string, path: string, data: string | Buffer, meta: Meta): Resolved {
  return placeEntry(root, path, "file", meta, (host) => writeFileSync(host, data, { flag: "wx", mode: 0o600 }));
}

export function copyFileIn(root: string, path: string, hostSource: string, meta: Meta): Resolved {
  // a reflink where the filesystem can (btrfs), a plain copy elsewhere
  return placeEntry(root, path, "file", meta, (host) => copyFileSync(hostSource, host, constants.COPYFILE_FICLONE));
}

export function symlinkIn(root: string, path: string, target: string, meta: Omit<Meta, "mode">): Resolved {
  return placeEntry(root, path, "symlink", { ...meta, mode: 0o777 }, (host) => symlinkSync(target, host));
}

/**
 * Creates the directory if it is missing (and sets its metadata); an existing directory is left untouched.
 * Returns the resolved path and whether it was created.
 */
export function mkdirIn(root: string, path: string, meta: Meta): Resolved & { created: boolean } {
  const r = resolveParentInImage(root, path);
  const st = lstatOrNull(r.hostPath);
  if (st?.isSymbolicLink()) {
    const target = resolveInImage(root, r.imagePath, true);
    const tst = lstatOrNull(target.hostPath);
    if (tst?.isDirectory()) return { ...target, created: false };
    throw new ImagePathError(`"${r.imagePath}" is a symlink that does not lead to a directory`);
  }
  if (st !== null) {
    if (st.isDirectory()) return { ...r, created: false };
    throw new ImagePathError(`cannot create directory "${r.imagePath}": a non-directory is in the way`);
  }
  requireParentDir(r, "directory");
  mkdirSync(r.hostPath, { mode: 0o700 });
  applyMeta(r.hostPath, meta);
  settleParent(r, meta.epoch);
  return { ...r, created: true };
}

/** mkdir -p: creates every missing component; returns the image paths created, outermost first. */
export function mkdirsIn(root: string, path: string, meta: Meta): string[] {
  const p = normalizeImagePath(path);
  if (p === "/") return [];
  const created: string[] = [];
  for (const a of [...ancestors(p), p]) {
    const r = mkdirIn(root, a, meta);
    if (r.created) created.push(r.imagePath);
  }
  return created;
}

/** Removes `path` (recursively for a directory; a symlink itself, never its target). Returns null if absent. */
export function removeIn(root: string, path: string, epoch: number): Resolved | null {
  const r = resolveParentInImage(root, path);
  if (r.imagePath === "/") throw new ImagePathError("refusing to remove the image root");
  if (lstatOrNull(r.hostPath) === null) return null;
  rmSync(r.hostPath, { recursive: true, force: false });
  settleParent(r, epoch);
  return r;
}

export function lstatIn(root: string, path: string, followLast = false) {
  const r = followLast ? resolveInImage(root, path, true) : resolveParentInImage(root, path);
  return { ...r, stat: lstatOrNull(r.hostPath) };
}

/** Sets mtime/atime of an existing path to the epoch (e.g. a directory whose entries changed). */
export function touchTimes(hostPath: string, epoch: number): void {
  lutimesSync(hostPath, epoch, epoch);
}
