// The diff of a layer against its parent, as a tar: the portable form of one layer. It holds every path the child
// added or changed, as a whole entry (content, mode, owner, mtime, xattrs, symlink target, hard links among the
// entries), and an OCI whiteout (`dir/.wh.name`, an empty file) for every path the child removed. The paths
// are those whose content, metadata or xattrs differ from the parent's (candidates from `btrfs send --no-data -p`
// when the lineage is checked, so finding them costs what the child changed). A layer without a parent diffs against
// the empty tree: every path of the layer.
//
// Layout of the tar (deterministic, so its sha256 names it): first the whiteouts, sorted; then the entries, sorted
// by their byte strings (a directory before what it holds); names relative to the layer root without `./`; the root
// directory itself is not an entry.
import { createHash } from "node:crypto";
import { chmodSync, createReadStream, lstatSync, mkdirSync, readdirSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { StrataError } from "../errors.js";
import { compareBytes, hostBytes } from "../image/byte-paths.js";
import { collectChanges } from "../portable/changes.js";
import { sendCandidates } from "../portable/send-candidates.js";
import { tarEntries } from "./tar.js";

export const WHITEOUT_PREFIX = ".wh.";

function listSubtree(root: string, rel: string, into: string[]): void {
  const dir = rel === "" ? root : join(root, rel);
  for (const name of readdirSync(hostBytes(dir), { encoding: "buffer" })) {
    const child = rel === "" ? name.toString("latin1") : `${rel}/${name.toString("latin1")}`;
    into.push(child);
    if (lstatSync(hostBytes(join(root, child))).isDirectory()) listSubtree(root, child, into);
  }
}

export interface LayerDiff {
  entries: string[];
  whiteouts: string[];
}

/**
 * what `child` changed against `parent`, or all of `child` when parent is undefined: a function of the two trees'
 * content alone (portable/changes.ts compares each candidate with the parent's path), so every way a tree was made
 * gives the same diff. The candidates come from `btrfs send -p` when the child's snapshot lineage reaches the parent;
 * otherwise (a tree with the parent's content but another lineage, found by key in a shared working volume; or no
 * btrfs) every path of both trees is compared.
 */
export async function computeDiff(child: string, parent: string | undefined, label: string): Promise<LayerDiff> {
  const entries: string[] = [];
  let removed: string[] = [];
  if (parent === undefined) {
    listSubtree(child, "", entries);
    entries.sort(compareBytes);
  } else {
    const paths = await sendCandidates(parent, child);
    const changes = collectChanges(child, parent, paths !== undefined ? { paths } : { markerNs: 0n });
    entries.push(...changes.entries.map((e) => e.path));
    removed = changes.removed;
  }
  // a whiteout under another whiteout says nothing more
  const kept: string[] = [];
  for (const w of [...removed].sort(compareBytes)) if (!kept.some((k) => w.startsWith(k + "/"))) kept.push(w);
  checkNoWhiteoutNames(entries, label);
  return { entries, whiteouts: kept.map(whiteoutName) };
}

/** the OCI whiteout that says `rel` was removed: `dir/.wh.name` */
export function whiteoutName(rel: string): string {
  const s = rel.lastIndexOf("/");
  return s < 0 ? WHITEOUT_PREFIX + rel : `${rel.slice(0, s)}/${WHITEOUT_PREFIX}${rel.slice(s + 1)}`;
}

/** a name starting with `.wh.` would read as a deletion in the diff: refused */
export function checkNoWhiteoutNames(entries: string[], label: string): void {
  const bad = entries.filter((e) => e.slice(e.lastIndexOf("/") + 1).startsWith(WHITEOUT_PREFIX));
  if (bad.length > 0) {
    throw new StrataError({
      label,
      message: `the layer holds ${bad.length === 1 ? "a path" : `${bad.length} paths`} an OCI layer cannot hold: a name starting with "${WHITEOUT_PREFIX}" means a deletion there`,
      expected: `no file name starting with "${WHITEOUT_PREFIX}"`,
      found: bad.slice(0, 5).map((b) => "/" + b).join(", ") + (bad.length > 5 ? ", ..." : ""),
    });
  }
}

/**
 * writes the diff tar to `out` (uncompressed) and returns its sha256 (the OCI diff_id); `epoch` undefined keeps every
 * entry's mtime as it is (see reproducibleTarArgs), the whiteouts then get time 0
 */
export async function writeDiffTar(child: string, diff: LayerDiff, out: string, scratch: string, epoch: number | undefined): Promise<string> {
  const staging = join(scratch, "whiteouts");
  mkdirSync(staging);
  for (const w of diff.whiteouts) {
    const slash = w.lastIndexOf("/");
    if (slash >= 0) mkdirSync(hostBytes(join(staging, w.slice(0, slash))), { recursive: true });
    writeFileSync(hostBytes(join(staging, w)), "");
    chmodSync(hostBytes(join(staging, w)), 0o644);
  }
  const list = join(scratch, "list");
  // One archive from two GNU tar runs: the whiteouts (from a staging directory), then the entries. `tar --append`
  // would do it but drops the xattrs of what it appends (GNU tar 1.34), so the whiteouts are written with 512-byte
  // records and their end-of-archive marker (two zero blocks) cut off before the entries' archive follows.
  if (diff.whiteouts.length > 0) {
    await tarEntries(staging, diff.whiteouts, out, list, epoch ?? 0, { owner0: true, blockingFactor: 1 });
    truncateSync(out, statSync(out).size - 1024);
  }
  await tarEntries(child, diff.entries, out, list, epoch, { append: diff.whiteouts.length > 0 });
  return sha256File(out);
}

export async function sha256File(file: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest("hex");
}
