// A child's facts from its parent's plus what the phase changed. Normally only the paths features reported
// (touched/removed) are examined; a phase with an opaque feature (genrule) is walked in full and diffed.
import { lstatSync, readdirSync, readlinkSync, type Stats } from "node:fs";
import type { FactsView, FileType, PathFact } from "../types.js";
import { DeltaLevel } from "./delta.js";
import { ancestorsOf, comparePaths } from "./format.js";
import { LiteralPaths } from "../image/resolve.js";
import { dirPrefix } from "../image/path.js";
import { readImageXattrs } from "./xattrs.js";

/** collects paths whose times differ from the epoch, and directories the derivation read (reading moves atime) */
export interface Retimer {
  epoch: number;
  paths: Set<string>;
}

export interface PhaseChanges {
  /** image path → origin (`//label: feature_type`) of the last feature that reported it */
  touched: Map<string, string | undefined>;
  removed: Set<string>;
  /** set when the phase ran an opaque feature: the tree is walked and diffed against the parent */
  opaqueOrigin?: string;
  /** sees the lstat of every path that walk reads (portable phases note what changed: src/portable/changes.ts) */
  observe?: (imagePath: string, st: Stats) => void;
}

function fileTypeOf(st: Stats): FileType {
  if (st.isFile()) return "file";
  if (st.isDirectory()) return "directory";
  if (st.isSymbolicLink()) return "symlink";
  if (st.isBlockDevice()) return "block-device";
  if (st.isCharacterDevice()) return "char-device";
  if (st.isFIFO()) return "fifo";
  return "socket";
}

/** where a path of the image is on the host: literally, never through a symlink of the image (see LiteralPaths) */
type Tree = LiteralPaths;

function hostOf(tree: Tree, imagePath: string): string {
  const h = tree.host(imagePath);
  if (h === null) throw new Error(`internal: "${imagePath}" was read as a path of the image but an ancestor of it is not a directory`);
  return h;
}

function factFromStats(tree: Tree, imagePath: string, st: Stats, origin: string | undefined): PathFact {
  const type = fileTypeOf(st);
  const f: PathFact = { path: imagePath, type, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid };
  if (type === "file") f.size = st.size;
  if (type === "symlink") f.target = readlinkSync(hostOf(tree, imagePath), "utf8");
  if (origin !== undefined) f.origin = origin;
  return f;
}

function noteTimes(retime: Retimer | undefined, p: string, st: Stats): void {
  if (retime === undefined) return;
  const e = retime.epoch * 1000;
  // reading a symlink's target (below) moves its atime
  if (st.mtimeMs !== e || st.atimeMs !== e || st.isSymbolicLink()) retime.paths.add(p);
}

/** the fact of one image path as it is on disk now, or undefined when it does not exist */
export function factOf(tree: Tree, imagePath: string, origin?: string, retime?: Retimer): PathFact | undefined {
  const st = tree.lstat(imagePath);
  if (st === null) return undefined;
  noteTimes(retime, imagePath, st);
  return factFromStats(tree, imagePath, st, origin);
}

/**
 * every path under image directory `dir` (not `dir` itself), unsorted; entries `skip` holds are left out (and not
 * descended into): they were reported on their own
 */
function walkUnder(tree: Tree, dir: string, origin: string | undefined, out: PathFact[], skip?: Map<string, unknown>, retime?: Retimer, observe?: (p: string, st: Stats) => void): void {
  // `dir` was lstat'ed as a directory through real directories only, so its entries are the image's own
  const entries = readdirSync(hostOf(tree, dir), { withFileTypes: true });
  retime?.paths.add(dir);
  for (const e of entries) {
    const p = dir === "/" ? `/${e.name}` : `${dir}/${e.name}`;
    if (skip?.has(p) === true) continue;
    const st = lstatSync(hostOf(tree, p));
    noteTimes(retime, p, st);
    observe?.(p, st);
    const f = factFromStats(tree, p, st, origin);
    out.push(f);
    if (f.type === "directory") walkUnder(tree, p, origin, out, skip, retime, observe);
  }
}

/** sets `xattrs` on the facts that have any: `single` paths read one by one, `trees` read whole (see xattrs.ts) */
function addXattrs(tree: Tree, facts: Iterable<PathFact>, single: string[], trees: string[]): void {
  if (single.length === 0 && trees.length === 0) return;
  const texts = readImageXattrs(single, trees, (p) => hostOf(tree, p));
  if (texts.size === 0) return;
  for (const f of facts) {
    const t = texts.get(f.path);
    if (t !== undefined) f.xattrs = t;
  }
}

/** the whole tree, `/` included, sorted by path */
export function walkTree(root: string | Tree, origin?: string, observe?: (p: string, st: Stats) => void): PathFact[] {
  const tree = typeof root === "string" ? new LiteralPaths(root) : root;
  const out: PathFact[] = [];
  const top = factOf(tree, "/", origin);
  if (top !== undefined) {
    out.push(top);
    if (top.type === "directory") {
      walkUnder(tree, "/", origin, out, undefined, undefined, observe);
      addXattrs(tree, out, [], ["/"]);
    } else addXattrs(tree, out, ["/"], []);
  }
  return out.sort((a, b) => comparePaths(a.path, b.path));
}

function parentOf(p: string): string | undefined {
  if (p === "/") return undefined;
  const i = p.lastIndexOf("/");
  return i <= 0 ? "/" : p.slice(0, i);
}

function sameFact(a: PathFact, b: PathFact): boolean {
  return a.type === b.type && a.mode === b.mode && a.uid === b.uid && a.gid === b.gid && a.size === b.size && a.target === b.target && a.xattrs === b.xattrs;
}

function deriveFromReports(tree: Tree, parent: FactsView, changes: PhaseChanges, retime?: Retimer): DeltaLevel {
  const upserts = new Map<string, PathFact>();
  const removed = new Set(changes.removed);
  const hidden = (p: string): boolean => removed.has(p) || ancestorsOf(p).some((a) => removed.has(a));
  const inParent = (p: string): boolean => !hidden(p) && parent.path(p) !== undefined;
  /** new directories walked whole: their xattrs are read as one subtree */
  const walked: string[] = [];

  for (const [p, origin] of changes.touched) {
    const f = factOf(tree, p, origin, retime);
    if (f === undefined) {
      removed.add(p);
      upserts.delete(p);
      continue;
    }
    upserts.set(p, f);
    // a directory new in this phase: its whole content is new too, whether or not each entry was reported
    // (reported entries are examined in their own turn)
    if (f.type === "directory" && !inParent(p)) {
      const under: PathFact[] = [];
      walkUnder(tree, p, origin, under, changes.touched, retime);
      walked.push(p);
      for (const u of under) upserts.set(u.path, u);
    }
  }
  // a feature that created /a/b/c may have created /a and /a/b without reporting them
  for (const [p, f] of [...upserts]) {
    // walked upwards one parent at a time: nearly always the first parent is known and the walk stops there
    for (let a = parentOf(p); a !== undefined; a = parentOf(a)) {
      if (upserts.has(a) || inParent(a)) break;
      const af = factOf(tree, a, f.origin, retime);
      if (af !== undefined) upserts.set(a, af);
    }
  }
  // each walked subtree is read once, by its topmost directory
  const walkedSet = new Set(walked);
  const under = (p: string): boolean => walkedSet.has(p) || ancestorsOf(p).some((a) => walkedSet.has(a));
  const tops = walked.filter((w) => !ancestorsOf(w).some((a) => walkedSet.has(a)));
  const single = walked.length === 0 ? [...upserts.keys()] : [...upserts.keys()].filter((p) => !under(p));
  addXattrs(tree, upserts.values(), single, tops);
  // tombstones that hide nothing in the parent are noise
  for (const t of [...removed]) {
    if (parent.path(t) === undefined) removed.delete(t);
  }
  return new DeltaLevel({ upserts: [...upserts.values()], removed: [...removed] });
}

function deriveByWalking(tree: Tree, parent: FactsView, changes: PhaseChanges): DeltaLevel {
  const now = walkTree(tree, undefined, changes.observe);
  const before: PathFact[] = [];
  const top = parent.path("/");
  if (top !== undefined) before.push(top);
  for (const f of parent.listUnder("/")) before.push(f);

  const upserts: PathFact[] = [];
  const removed: string[] = [];
  const originFor = (p: string): string | undefined => (changes.touched.has(p) ? changes.touched.get(p) : changes.opaqueOrigin);
  let i = 0;
  let j = 0;
  let lastTomb: string | undefined;
  while (i < now.length || j < before.length) {
    const a = now[i];
    const b = before[j];
    const c = a === undefined ? 1 : b === undefined ? -1 : comparePaths(a.path, b.path);
    if (c < 0) {
      const o = originFor(a!.path);
      upserts.push(o === undefined ? a! : { ...a!, origin: o });
      i++;
    } else if (c > 0) {
      if (lastTomb === undefined || !b!.path.startsWith(dirPrefix(lastTomb))) {
        removed.push(b!.path);
        lastTomb = b!.path;
      }
      j++;
    } else {
      if (!sameFact(a!, b!) || changes.touched.has(a!.path)) {
        const o = originFor(a!.path);
        upserts.push(o === undefined ? a! : { ...a!, origin: o });
      }
      i++;
      j++;
    }
  }
  return new DeltaLevel({ upserts, removed });
}

/**
 * `retime`, when given, receives the paths whose times are not the epoch and the directories read here; in an
 * opaque phase it is not filled (the whole tree needs normalising anyway)
 */
export function deriveDelta(root: string | Tree, parent: FactsView, changes: PhaseChanges, retime?: Retimer): DeltaLevel {
  const tree = typeof root === "string" ? new LiteralPaths(root) : root;
  return changes.opaqueOrigin !== undefined ? deriveByWalking(tree, parent, changes) : deriveFromReports(tree, parent, changes, retime);
}
