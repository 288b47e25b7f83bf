// antlir2's image_diff_test, re-done for the compatibility suite: what a layer changed relative to its parent
// (added / removed / changed paths with mode, type, owner names, text and xattrs), compared with antlir2's
// TOML expectation (`[file."path"] op = "added" | "removed" | "diff"`, `.diff` with mode, file-type, user, group,
// text or content_hash, xattrs, or text-patch for a changed file). Times are not compared, as in antlir2.
import { execFileSync } from "node:child_process";
import { lstatSync, readFileSync, readdirSync, readlinkSync, type Stats } from "node:fs";
import { join } from "node:path";
import { readXattrs } from "../../src/features/xattrs.js";

export interface Entry {
  type: "regular-file" | "directory" | "symlink" | "other";
  mode: number;
  uid: number;
  gid: number;
  /** file contents or symlink target */
  text?: string;
  xattrs: Record<string, string>;
}

function entryOf(host: string, st: Stats): Entry {
  const type = st.isSymbolicLink() ? "symlink" : st.isFile() ? "regular-file" : st.isDirectory() ? "directory" : "other";
  const x = readXattrs(host);
  const xattrs = Object.fromEntries(Object.entries(x).map(([k, v]) => [k, v.toString("utf8")]));
  const text = type === "symlink" ? readlinkSync(host, "utf8") : type === "regular-file" ? readFileSync(host, "utf8") : undefined;
  return { type, mode: type === "symlink" ? 0o777 : st.mode & 0o7777, uid: st.uid, gid: st.gid, text, xattrs };
}

/** Every path of a tree (relative, no leading "/"), the root excluded. An absent root is an empty tree. */
export function walk(root: string | null): Map<string, Entry> {
  const out = new Map<string, Entry>();
  if (root === null) return out;
  const visit = (rel: string): void => {
    for (const name of readdirSync(rel === "" ? root : join(root, rel)).sort()) {
      const r = rel === "" ? name : `${rel}/${name}`;
      const host = join(root, r);
      const st = lstatSync(host);
      out.set(r, entryOf(host, st));
      if (st.isDirectory()) visit(r);
    }
  };
  visit("");
  return out;
}

/** antlir2's symbolic modes as image_diff_test prints them ("u+rwx,g+rx,o+rx"; "" is 0). */
export function parseMode(text: string): number {
  let mode = 0;
  for (const clause of text.split(",").filter((c) => c !== "")) {
    // ls-style letters, as image_diff_test prints them: s/t are set-id/sticky WITH x, S/T without
    const m = /^([ugoa]+)\+([rwxsStT]*)$/.exec(clause);
    if (!m) throw new Error(`unsupported mode clause "${clause}"`);
    for (const who of m[1]!.replace("a", "ugo")) {
      const shift = who === "u" ? 6 : who === "g" ? 3 : 0;
      for (const p of m[2]!) {
        if (p === "r") mode |= 4 << shift;
        else if (p === "w") mode |= 2 << shift;
        else if (p === "x") mode |= 1 << shift;
        else if (p === "s" || p === "S") mode |= (who === "u" ? 0o4000 : 0o2000) | (p === "s" ? 1 << shift : 0);
        else if (p === "t" || p === "T") mode |= 0o1000 | (p === "t" ? 1 : 0);
      }
    }
  }
  return mode;
}

function names(root: string | null, file: string): Map<number, string> {
  const m = new Map<number, string>([[0, "root"]]);
  if (root === null) return m;
  try {
    for (const line of readFileSync(join(root, file), "utf8").split("\n")) {
      const f = line.split(":");
      if (f.length >= 3 && /^\d+$/.test(f[2]!)) m.set(Number(f[2]), f[0]!);
    }
  } catch {
    /* no such file: ids stay numbers */
  }
  return m;
}

/** Applies antlir2's `text-patch` (a unified diff of parent -> child) to the parent's text. */
export function applyPatch(parent: string, patch: string): string {
  const lines = parent.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  const out: string[] = [];
  let at = 0;
  const patchLines = patch.split("\n");
  for (let i = 0; i < patchLines.length; i++) {
    const h = /^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@/.exec(patchLines[i]!);
    if (!h) continue;
    const start = Math.max(Number(h[1]) - 1, 0);
    while (at < start) out.push(lines[at++]!);
    for (i++; i < patchLines.length && !patchLines[i]!.startsWith("@@"); i++) {
      const l = patchLines[i]!;
      if (l.startsWith(" ")) out.push(lines[at++]!);
      else if (l.startsWith("-")) at++;
      else if (l.startsWith("+")) out.push(l.slice(1));
    }
    i--;
  }
  while (at < lines.length) out.push(lines[at++]!);
  return out.map((l) => l + "\n").join("");
}

export function readToml(path: string): Record<string, unknown> {
  const py = "import json,sys,tomllib; print(json.dumps(tomllib.load(open(sys.argv[1],'rb'))))";
  return JSON.parse(execFileSync(process.env.STRATA_PYTHON ?? "python3", ["-c", py, path], { encoding: "utf8" })) as Record<string, unknown>;
}

/** Mismatches between the layer's change and the TOML (empty when they agree). */
export function compareDiff(layerRoot: string, parentRoot: string | null, expected: Record<string, unknown>): string[] {
  const child = walk(layerRoot);
  const parent = walk(parentRoot);
  const users = names(layerRoot, "etc/passwd");
  const groups = names(layerRoot, "etc/group");
  const changed = new Map<string, "added" | "removed" | "diff">();
  for (const [p, e] of child) {
    const before = parent.get(p);
    if (before === undefined) changed.set(p, "added");
    else if (JSON.stringify(before) !== JSON.stringify(e)) changed.set(p, "diff");
  }
  for (const p of parent.keys()) if (!child.has(p)) changed.set(p, "removed");
  const want = (expected.file ?? {}) as Record<string, { op: string; diff?: Record<string, unknown> }>;
  const problems: string[] = [];
  for (const p of new Set([...changed.keys(), ...Object.keys(want)])) {
    const got = changed.get(p);
    const w = want[p];
    if (w === undefined) {
      problems.push(`${p}: ${got} here, but antlir2 expects no change`);
      continue;
    }
    if (got !== w.op) {
      problems.push(`${p}: antlir2 expects op "${w.op}", found ${got ?? "no change"}`);
      continue;
    }
    const d = w.diff ?? {};
    const e = got === "removed" ? parent.get(p)! : child.get(p)!;
    if (got === "diff" && typeof d["text-patch"] === "string") {
      const text = applyPatch(parent.get(p)!.text ?? "", d["text-patch"]);
      if (text !== e.text) problems.push(`${p}: text ${JSON.stringify(e.text)}, antlir2 expects ${JSON.stringify(text)}`);
      continue;
    }
    if (typeof d.mode === "string" && parseMode(d.mode) !== e.mode) problems.push(`${p}: mode 0o${e.mode.toString(8)}, antlir2 expects "${d.mode}" (0o${parseMode(d.mode).toString(8)})`);
    if (typeof d["file-type"] === "string" && d["file-type"] !== e.type) problems.push(`${p}: a ${e.type}, antlir2 expects a ${d["file-type"]}`);
    const user = users.get(e.uid) ?? String(e.uid);
    const group = groups.get(e.gid) ?? String(e.gid);
    if (typeof d.user === "string" && d.user !== user) problems.push(`${p}: user ${user}, antlir2 expects ${d.user}`);
    if (typeof d.group === "string" && d.group !== group) problems.push(`${p}: group ${group}, antlir2 expects ${d.group}`);
    if (typeof d.text === "string" && d.text !== e.text) problems.push(`${p}: text ${JSON.stringify(e.text)}, antlir2 expects ${JSON.stringify(d.text)}`);
    const wantX = (d.xattrs ?? {}) as Record<string, string>;
    if (JSON.stringify(Object.entries(wantX).sort()) !== JSON.stringify(Object.entries(e.xattrs).sort())) {
      problems.push(`${p}: xattrs ${JSON.stringify(e.xattrs)}, antlir2 expects ${JSON.stringify(wantX)}`);
    }
  }
  return problems;
}
