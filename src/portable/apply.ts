// Applies a phase's diff to a writable copy of its parent's tree: the removed paths go, the paths the diff replaces
// with another type go, then GNU tar extracts the entries with their owners, modes, times and xattrs, and the
// directories whose entries changed but which the diff does not hold get their times back. Every path is taken
// literally: a name whose ancestor in the tree is not a real directory is refused, never followed.
import { lstatSync, lutimesSync, chmodSync, lchownSync, type BigIntStats } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { StrataError } from "../errors.js";
import { runTool } from "../packaging/tools.js";
import type { PhaseRecord } from "./format.js";
import type { RootMeta } from "./changes.js";
import { hostBytes } from "../image/byte-paths.js";

function statOrNull(p: string): BigIntStats | null {
  try {
    return lstatSync(hostBytes(p), { bigint: true });
  } catch {
    return null;
  }
}

function parentRel(rel: string): string {
  const s = rel.lastIndexOf("/");
  return s < 0 ? "" : rel.slice(0, s);
}

function checkName(rel: string, label: string, diff: string): void {
  if (rel === "" || rel.startsWith("/") || rel.split("/").some((c) => c === "" || c === "." || c === "..")) {
    throw new StrataError({ label, message: `the diff ${diff} names a path outside the layer`, expected: "a relative path without `.` or `..`", found: JSON.stringify(rel) });
  }
}

/** every ancestor of rel in the tree is a real directory (or is made by the diff itself, `newDirs`) */
function checkAncestors(root: string, rel: string, newDirs: Set<string>, label: string, diff: string): void {
  for (let a = parentRel(rel); a !== ""; a = parentRel(a)) {
    if (newDirs.has(a)) continue;
    const st = statOrNull(join(root, a));
    if (st === null || !st.isDirectory()) {
      throw new StrataError({
        label,
        message: `the diff ${diff} does not fit the parent layer: /${a} is not a directory there`,
        expected: `a directory at /${a} (the diff holds /${rel})`,
        found: st === null ? "nothing" : "another file type",
        notes: ["the diff was made against another parent: rebuild the layer"],
      });
    }
  }
}

function setTimesNs(host: string, atimeNs: bigint, mtimeNs: bigint): void {
  lutimesSync(hostBytes(host), Number(atimeNs) / 1e9, Number(mtimeNs) / 1e9);
}

export function restoreRoot(root: string, meta: RootMeta): void {
  lchownSync(root, meta.uid, meta.gid);
  chmodSync(root, meta.mode);
  setTimesNs(root, BigInt(meta.mtimeNs), BigInt(meta.mtimeNs));
}

export async function applyDiff(root: string, diffTar: string, record: PhaseRecord, label: string): Promise<void> {
  const { entries, removed } = record.changes;
  const newDirs = new Set<string>();
  for (const e of entries) {
    checkName(e.path, label, diffTar);
    checkAncestors(root, e.path, newDirs, label, diffTar);
    const st = statOrNull(join(root, e.path));
    if (e.type === "directory" && (st === null || !st.isDirectory())) newDirs.add(e.path);
  }
  for (const r of removed) {
    checkName(r, label, diffTar);
    checkAncestors(root, r, new Set(), label, diffTar);
  }

  // the directories whose entries this changes without being entries themselves keep their times
  const entrySet = new Set(entries.map((e) => e.path));
  const keepTimes = new Map<string, BigIntStats>();
  for (const rel of [...removed, ...entries.map((e) => e.path)]) {
    const dir = parentRel(rel);
    if (dir === "" || entrySet.has(dir) || keepTimes.has(dir)) continue;
    const st = statOrNull(join(root, dir));
    if (st?.isDirectory() === true) keepTimes.set(dir, st);
  }

  for (const r of removed) await rm(hostBytes(join(root, r)), { recursive: true, force: true });
  for (const e of entries) {
    const st = statOrNull(join(root, e.path));
    if (st !== null && (!st.isDirectory() || e.type !== "directory")) await rm(hostBytes(join(root, e.path)), { recursive: true, force: true });
  }

  if (entries.length > 0) {
    await runTool({
      tool: "tar",
      args: [
        "--extract",
        `--file=${diffTar}`,
        `--directory=${root}`,
        "--numeric-owner",
        "--same-owner",
        "--same-permissions",
        "--xattrs",
        "--xattrs-include=*",
        "--delay-directory-restore",
        "--exclude=.wh.*",
      ],
    });
  }
  for (const [dir, st] of keepTimes) setTimesNs(join(root, dir), st.atimeNs, st.mtimeNs);
  restoreRoot(root, record.root);
}
