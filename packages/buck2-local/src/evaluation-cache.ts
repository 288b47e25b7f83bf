// The evaluation cache: the result of evaluating and analysing a set of patterns, reused while every file-system
// fact the evaluation depended on still holds. Buck2 keeps its evaluations in the daemon and drops one when its file
// watcher reports a change to a file it read; this driver has no daemon, so evaluate.py records what it read
// (starlark/pydriver/fsdeps.py: file contents, what kind of thing a path is, directory listings) and the next build
// checks those facts, which costs a stat per file where evaluating costs a Python process and every BUCK and .bzl file.
// An entry is buck-out/v2/.strata-evaluations/<key>: evaluate.py's stdout as it was (a line of facts, then the
// evaluation), under a key of the project, the directory, the patterns, the Python and the driver's own files.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, lstatSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { statIdentity } from "./digest.js";
import { driverFile } from "./locate.js";

export interface EvaluationDeps {
  files: Record<string, [sha256: string, identity: string]>;
  kinds: Record<string, string>;
  lists: Record<string, [name: string, isDir: boolean, isLink: boolean][] | null>;
}

let driverDigestMemo: string | undefined;

/** a digest of the driver's Starlark and Python files: a change to the driver is a change to every evaluation */
function driverDigest(): string {
  if (driverDigestMemo !== undefined) return driverDigestMemo;
  const h = createHash("sha256");
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      if (e.name === "__pycache__") continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) h.update(`${p}\0`).update(readFileSync(p)).update("\0");
    }
  };
  walk(driverFile("starlark"));
  return (driverDigestMemo = h.digest("hex"));
}

function kindNow(path: string): string {
  const st = lstatSync(path, { throwIfNoEntry: false });
  if (st === undefined) return "missing";
  const of = (s: { isDirectory(): boolean; isFile(): boolean }) => (s.isDirectory() ? "dir" : s.isFile() ? "file" : "other");
  if (!st.isSymbolicLink()) return of(st);
  const target = statSync(path, { throwIfNoEntry: false });
  return target === undefined ? "link-missing" : `link-${of(target)}`;
}

function fileHolds(path: string, [sha256, identity]: [string, string]): boolean {
  const st = statSync(path, { bigint: true, throwIfNoEntry: false });
  if (st === undefined || !st.isFile()) return false;
  if (identity !== "" && statIdentity(st) === identity) return true;
  try {
    return createHash("sha256").update(readFileSync(path)).digest("hex") === sha256;
  } catch {
    return false;
  }
}

function listingHolds(path: string, was: [string, boolean, boolean][] | null): boolean {
  let entries;
  try {
    entries = readdirSync(path, { withFileTypes: true });
  } catch {
    return was === null;
  }
  if (was === null || entries.length !== was.length) return false;
  const now = new Map<string, string>();
  for (const e of entries) {
    const link = e.isSymbolicLink();
    const isDir = link ? statSync(join(path, e.name), { throwIfNoEntry: false })?.isDirectory() === true : e.isDirectory();
    now.set(e.name, `${isDir}:${link}`);
  }
  return was.every(([name, isDir, link]) => now.get(name) === `${isDir}:${link}`);
}

/** whether every fact still holds */
export function depsHold(deps: EvaluationDeps): boolean {
  for (const [p, k] of Object.entries(deps.kinds)) if (kindNow(p) !== k) return false;
  for (const [p, l] of Object.entries(deps.lists)) if (!listingHolds(p, l)) return false;
  for (const [p, f] of Object.entries(deps.files)) if (!fileHolds(p, f)) return false;
  return true;
}

export class EvaluationCache {
  private readonly file: string;

  constructor(root: string, cwd: string, patterns: string[], python: string) {
    const key = createHash("sha256").update(JSON.stringify([root, cwd, patterns, python, driverDigest()])).digest("hex");
    this.file = join(root, "buck-out", "v2", ".strata-evaluations", key);
  }

  /** the evaluation's JSON text, if there is an entry and its facts still hold */
  lookup(): string | undefined {
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch {
      return undefined;
    }
    const nl = text.indexOf("\n");
    if (nl < 0) return undefined;
    try {
      return depsHold(JSON.parse(text.slice(0, nl)) as EvaluationDeps) ? text.slice(nl + 1) : undefined;
    } catch {
      return undefined;
    }
  }

  /** keeps evaluate.py's `--deps` output (written whole or not at all) */
  store(stdout: string): void {
    mkdirSync(join(this.file, ".."), { recursive: true });
    const tmp = `${this.file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(tmp, stdout);
    renameSync(tmp, this.file);
  }
}
