// What one phase changed against its parent, found without btrfs: every path whose ctime is at or after a marker
// taken when the phase's tree was made is a candidate (a write, chmod, chown, utime, link, rename or xattr change
// moves the ctime; nothing can set it back), and each candidate is then compared with the parent's path. Only
// real differences are kept, so the result is a function of the two trees alone: the same on btrfs or on plain
// directories, whatever the clock granularity or the reads of the phase moved (false candidates drop out).
import { lstatSync, readFileSync, readlinkSync, type BigIntStats } from "node:fs";
import { readImageXattrs } from "../facts/xattrs.js";
import { compareBytes, hostBytes, LiteralTree } from "../image/byte-paths.js";

export type EntryType = "file" | "directory" | "symlink" | "other";

export interface PhaseChangeSet {
  /** paths (relative to the root, latin1 byte strings) the child holds that differ from the parent, sorted */
  entries: { path: string; type: EntryType }[];
  /** paths of the parent the child no longer holds (the topmost of a removed subtree only), sorted */
  removed: string[];
}

function typeOf(st: BigIntStats): EntryType {
  if (st.isFile()) return "file";
  if (st.isDirectory()) return "directory";
  if (st.isSymbolicLink()) return "symlink";
  return "other";
}

function sameContent(a: string, b: string): boolean {
  return readFileSync(hostBytes(a)).equals(readFileSync(hostBytes(b)));
}

/** true when the child's path says what the parent's says, xattrs aside (compared in one batch afterwards) */
function sameStat(child: LiteralTree, parent: LiteralTree, rel: string, c: BigIntStats, p: BigIntStats): boolean {
  if (typeOf(c) !== typeOf(p) || c.mode !== p.mode || c.uid !== p.uid || c.gid !== p.gid || c.mtimeNs !== p.mtimeNs) return false;
  // a directory's link count depends on the filesystem (btrfs: always 1), so it says nothing portable
  if (!c.isDirectory() && c.nlink !== p.nlink) return false;
  if (c.isFile() && (c.size !== p.size || !sameContent(child.host(rel), parent.host(rel)))) return false;
  if (c.isSymbolicLink() && !readlinkSync(hostBytes(child.host(rel)), { encoding: "buffer" }).equals(readlinkSync(hostBytes(parent.host(rel)), { encoding: "buffer" }))) return false;
  if ((c.isBlockDevice() || c.isCharacterDevice()) && c.rdev !== p.rdev) return false;
  return true;
}

/** which paths may have changed: those at or after a ctime marker (found by walking the child), or a list */
export type Candidates = { markerNs: bigint } | { paths: Iterable<string>; existingOnly?: boolean };

/**
 * The changes of `childRoot` against `parentRoot` (undefined: the empty tree). With `markerNs` (the ctime of a file
 * made after the child's tree was snapshotted or copied from the parent, before the phase wrote anything) the
 * child is walked; with `paths` only those are looked at: btrfs send's list of what it would send, or (`existingOnly`)
 * the paths of the child a walk found changed, whose directories then tell what they lost.
 */
export function collectChanges(childRoot: string, parentRoot: string | undefined, candidates: Candidates): PhaseChangeSet {
  const child = new LiteralTree(childRoot);
  const parent = parentRoot === undefined ? undefined : new LiteralTree(parentRoot);
  const entries = new Map<string, EntryType>();
  const removed: string[] = [];
  const sameSoFar: string[] = [];
  // removals: from the names of candidate directories, unless the list names removed paths itself (btrfs send)
  const lostFromNames = "markerNs" in candidates || candidates.existingOnly === true;

  const addSubtree = (rel: string, st: BigIntStats): void => {
    entries.set(rel, typeOf(st));
    if (!st.isDirectory()) return;
    for (const name of child.names(rel)) {
      const sub = rel === "" ? name : `${rel}/${name}`;
      addSubtree(sub, child.stat(sub)!);
    }
  };

  const lostEntries = (dir: string): void => {
    const now = new Set(child.names(dir));
    for (const old of parent!.names(dir)) if (!now.has(old)) removed.push(dir === "" ? old : `${dir}/${old}`);
  };

  /** looks at one path the child holds; false when it is new at its path (its subtree is then taken whole) */
  const examine = (rel: string, st: BigIntStats, candidate: boolean): boolean => {
    const before = parent?.stat(rel) ?? null;
    if (before === null || typeOf(before) !== typeOf(st)) {
      // new here (made, or moved in with its old ctimes): the whole subtree
      addSubtree(rel, st);
      return false;
    }
    if (!candidate) return true;
    // the same inode, untouched since the snapshot (btrfs keeps inode numbers and ctimes in a snapshot): unchanged
    if (st.ino === before.ino && st.ctimeNs === before.ctimeNs && st.dev === before.dev) return true;
    if (sameStat(child, parent!, rel, st, before)) sameSoFar.push(rel);
    else entries.set(rel, typeOf(st));
    // an entry made or removed in a directory moves its ctime: only those can have lost entries (btrfs send lists
    // the removed paths themselves)
    if (st.isDirectory() && lostFromNames) lostEntries(rel);
    return true;
  };

  if ("markerNs" in candidates) {
    const walk = (rel: string): void => {
      for (const name of child.names(rel)) {
        const sub = rel === "" ? name : `${rel}/${name}`;
        const st = child.stat(sub)!;
        if (examine(sub, st, parent === undefined || st.ctimeNs >= candidates.markerNs) && st.isDirectory()) walk(sub);
      }
    };
    walk("");
    if (parent !== undefined && child.stat("")!.ctimeNs >= candidates.markerNs) lostEntries("");
  } else if (parent === undefined) {
    for (const name of child.names("")) addSubtree(name, child.stat(name)!);
  } else {
    const list = [...candidates.paths].sort(compareBytes);
    for (const rel of list) {
      if (rel === "") {
        if (lostFromNames) lostEntries("");
        continue;
      }
      const st = child.stat(rel);
      if (st !== null) {
        examine(rel, st, true);
        continue;
      }
      // gone: a removal where its directory is still a directory (below a replaced or removed path it says nothing more)
      const slash = rel.lastIndexOf("/");
      const dir = slash < 0 ? "" : rel.slice(0, slash);
      const dirNow = child.stat(dir);
      if (parent.stat(rel) !== null && dirNow?.isDirectory() === true && parent.stat(dir)?.isDirectory() === true) removed.push(rel);
    }
  }

  if (sameSoFar.length > 0) {
    const ofChild = readImageXattrs(sameSoFar, [], (p) => child.host(p));
    const ofParent = readImageXattrs(sameSoFar, [], (p) => parent!.host(p));
    for (const p of sameSoFar) if (ofChild.get(p) !== ofParent.get(p)) entries.set(p, typeOf(child.stat(p)!));
  }
  return {
    entries: [...entries].map(([path, type]) => ({ path, type })).sort((a, b) => compareBytes(a.path, b.path)),
    removed: [...new Set(removed)].sort(compareBytes),
  };
}

export interface RootMeta {
  mode: number;
  uid: number;
  gid: number;
  mtimeNs: string;
}

export function rootMeta(root: string): RootMeta {
  const st = lstatSync(root, { bigint: true });
  return { mode: Number(st.mode & 0o7777n), uid: Number(st.uid), gid: Number(st.gid), mtimeNs: st.mtimeNs.toString() };
}
