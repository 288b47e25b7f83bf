// What a child layer changed against a parent layer without `btrfs send`, which needs CAP_SYS_ADMIN of the initial
// user namespace (a rootless build has not) and two subvolumes of one btrfs (the copy backend has not): both trees
// are walked side by side. A path is touched when it is new, gone, or differs in type, mode, owner, size, device,
// link count, link target, xattrs or content; a directory also when a name in it came or went or an entry in it was
// touched (strata sets the times of the directories holding what a phase changed, so `btrfs send` names those too).
// The answer has the shape parseSendStream gives, so the diff is built from it the same way.
// `btrfs send` also names paths whose inode changed but not what they hold (a file strata read, then reset the
// times of); keepChanged drops those, so a root and a rootless build give the same diff.
import { closeSync, openSync, readSync, readlinkSync, type BigIntStats } from "node:fs";
import { readImageXattrs } from "../facts/xattrs.js";
import { hostBytes, LiteralTree } from "../image/byte-paths.js";
import type { SendChanges } from "./send-stream.js";

const CHUNK = 1 << 20;

function sameContent(a: string, b: string): boolean {
  const fa = openSync(hostBytes(a), "r");
  try {
    const fb = openSync(hostBytes(b), "r");
    try {
      const ba = Buffer.allocUnsafe(CHUNK);
      const bb = Buffer.allocUnsafe(CHUNK);
      for (;;) {
        const na = readSync(fa, ba, 0, CHUNK, null);
        const nb = readSync(fb, bb, 0, CHUNK, null);
        if (na !== nb || ba.compare(bb, 0, nb, 0, na) !== 0) return false;
        if (na === 0) return true;
      }
    } finally {
      closeSync(fb);
    }
  } finally {
    closeSync(fa);
  }
}

function sameInode(c: BigIntStats, p: BigIntStats): boolean {
  if (c.mode !== p.mode || c.uid !== p.uid || c.gid !== p.gid || c.mtimeNs !== p.mtimeNs) return false;
  // a directory's size and link count depend on the filesystem (btrfs: the names' length and 1), not the image
  return c.isDirectory() || (c.size === p.size && c.rdev === p.rdev && c.nlink === p.nlink);
}

function xattrsOf(root: string, only?: string[]): Map<string, string> {
  const hostOf = (p: string): string => (p === "/" ? root : root + p);
  return only === undefined ? readImageXattrs([], ["/"], hostOf) : readImageXattrs(only, [], hostOf);
}

function differs(c: LiteralTree, p: LiteralTree, cx: Map<string, string>, px: Map<string, string>, rel: string, cs: BigIntStats, ps: BigIntStats): boolean {
  if (!sameInode(cs, ps)) return true;
  if ((cx.get("/" + rel) ?? "") !== (px.get("/" + rel) ?? "")) return true;
  if (cs.isSymbolicLink()) return readlinkSync(hostBytes(c.host(rel))) !== readlinkSync(hostBytes(p.host(rel)));
  if (cs.isFile() && !(cs.dev === ps.dev && cs.ino === ps.ino)) return !sameContent(c.host(rel), p.host(rel));
  return false;
}

const parentOf = (rel: string): string => (rel.includes("/") ? rel.slice(0, rel.lastIndexOf("/")) : "");

/**
 * The paths of `changes` that really differ between the trees: gone, new, or different (as compareTrees sees it),
 * and the directories holding one of those.
 */
export function keepChanged(changes: SendChanges, parent: string, child: string): SendChanges {
  const c = new LiteralTree(child);
  const p = new LiteralTree(parent);
  const both = [...changes.touched].filter((r) => r !== "" && c.stat(r) !== null && p.stat(r) !== null);
  const paths = both.map((r) => "/" + r);
  const cx = xattrsOf(child, paths);
  const px = xattrsOf(parent, paths);
  const kept = new Set<string>();
  for (const r of changes.touched) {
    const cs = r === "" ? null : c.stat(r);
    const ps = r === "" ? null : p.stat(r);
    if (r === "" || cs === null || ps === null || changes.renamedTo.has(r) || (cs.mode & 0o170000n) !== (ps.mode & 0o170000n) || differs(c, p, cx, px, r, cs, ps)) kept.add(r);
  }
  // as compareTrees: a directory holding a change is part of it (whether btrfs named it or not)
  for (const r of [...kept]) if (r !== "") kept.add(parentOf(r));
  return { touched: kept, renamedTo: changes.renamedTo };
}

export function compareTrees(parent: string, child: string): SendChanges {
  const c = new LiteralTree(child);
  const p = new LiteralTree(parent);
  const cx = xattrsOf(child);
  const px = xattrsOf(parent);
  const touched = new Set<string>();
  const addAll = (rel: string): void => {
    touched.add(rel);
    if (c.stat(rel)!.isDirectory()) for (const n of c.names(rel)) addAll(rel === "" ? n : `${rel}/${n}`);
  };
  /** compares the directory `rel` (present in both) entry by entry; true when anything in it was touched */
  const walk = (rel: string): boolean => {
    const names = new Set(c.names(rel));
    let any = false;
    for (const n of p.names(rel)) {
      if (!names.has(n)) {
        touched.add(rel === "" ? n : `${rel}/${n}`);
        any = true;
      }
    }
    for (const n of names) {
      const r = rel === "" ? n : `${rel}/${n}`;
      const cs = c.stat(r)!;
      const ps = p.stat(r);
      if (ps === null || cs.isDirectory() !== ps.isDirectory() || (cs.mode & 0o170000n) !== (ps.mode & 0o170000n)) {
        addAll(r);
        any = true;
        continue;
      }
      const self = differs(c, p, cx, px, r, cs, ps);
      const inside = cs.isDirectory() ? walk(r) : false;
      if (self || inside) touched.add(r);
      any ||= self;
    }
    if (any) touched.add(rel);
    return any;
  };
  walk("");
  return { touched, renamedTo: new Set() };
}
