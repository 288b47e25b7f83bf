// Digests of action inputs for the action cache: file contents (and the executable bit), directory trees, and for
// symlinks that actions produced the link text only (Buck2 records such links as "external symlinks").
//
// As Buck2 hashes each file once per build (and keeps the digest until its file watcher sees a change), an Inputs
// computes each path's digest once per build, and a file's content digest is kept across builds in
// buck-out/v2/.strata-digests.json under the file's identity (device, inode, size, mtime, ctime and mode, all of
// which a write, rename, chmod or re-creation changes). A digest is only kept when the file was unchanged across the
// read and either an action's finished output (nothing writes it any more) or a source whose ctime is older than the
// clock's granularity (git's "racy" entries: an edit in the same tick as the read could keep every field); other
// files are hashed again next time.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { lstat, readdir, readFile, readlink, stat } from "node:fs/promises";
import type { BigIntStats } from "node:fs";
import { dirname, join } from "node:path";

/** how much older than now a file's ctime must be for its digest to be kept across builds */
const RACY_NS = 200_000_000n;

/** What a file or directory is now, as far as any change to it shows: the key of a kept digest, an output's fingerprint. */
export function statIdentity(st: BigIntStats): string {
  const kind = st.isDirectory() ? "dir" : "file";
  return `${kind}:${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}:${st.mode}`;
}

type Kept = Record<string, [identity: string, digest: string]>;

/** Content digests of files by identity, kept in the project's buck-out between builds. */
export class DigestStore {
  private readonly file: string;
  private kept: Kept;
  private dirty = false;

  constructor(root: string) {
    this.file = join(root, "buck-out", "v2", ".strata-digests.json");
    this.kept = DigestStore.load(this.file);
  }

  private static load(file: string): Kept {
    try {
      const data = JSON.parse(readFileSync(file, "utf8")) as unknown;
      return data !== null && typeof data === "object" && !Array.isArray(data) ? (data as Kept) : {};
    } catch {
      return {};
    }
  }

  /** the digest kept for `abs` when it was `identity`, if any */
  get(abs: string, identity: string): string | undefined {
    const k = this.kept[abs];
    return k !== undefined && Array.isArray(k) && k[0] === identity ? k[1] : undefined;
  }

  put(abs: string, identity: string, digest: string): void {
    this.kept[abs] = [identity, digest];
    this.dirty = true;
  }

  /** Writes the kept digests (a temporary file renamed: a concurrent build's copy is replaced whole, never torn). */
  save(): void {
    if (!this.dirty) return;
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.kept));
    renameSync(tmp, this.file);
    this.dirty = false;
  }
}

async function fileDigest(abs: string, st: BigIntStats, store: DigestStore | undefined, final: boolean): Promise<string> {
  const identity = statIdentity(st);
  const kept = store?.get(abs, identity);
  if (kept !== undefined) return kept;
  const digest = `file:${st.mode & 0o111n ? "x" : "-"}:${createHash("sha256").update(await readFile(abs)).digest("hex")}`;
  if (store !== undefined) {
    const after = await stat(abs, { bigint: true }).catch(() => undefined);
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    if (after !== undefined && statIdentity(after) === identity && (final || nowNs - st.ctimeNs > RACY_NS)) store.put(abs, identity, digest);
  }
  return digest;
}

async function treeDigest(abs: string, followTop: boolean, store: DigestStore | undefined, final: boolean): Promise<string> {
  const st = followTop ? await stat(abs, { bigint: true }) : await lstat(abs, { bigint: true });
  if (st.isSymbolicLink()) return `link:${await readlink(abs)}`;
  if (st.isDirectory()) {
    const h = createHash("sha256");
    for (const name of (await readdir(abs)).sort()) {
      h.update(`${name}\0${await treeDigest(join(abs, name), false, store, final)}\0`);
    }
    return `dir:${h.digest("hex")}`;
  }
  return fileDigest(abs, st, store, final);
}

/** Digest of one input. `produced`: the path is an output of a finished action (a top-level symlink there is hashed by its text). */
export async function inputDigest(root: string, path: string, produced: boolean, store?: DigestStore): Promise<string> {
  const abs = join(root, path);
  try {
    const st = await lstat(abs);
    if (st.isSymbolicLink() && produced) return `link:${await readlink(abs)}`;
    return await treeDigest(abs, true, store, produced);
  } catch (e) {
    return `missing:${(e as NodeJS.ErrnoException).code ?? "?"}`;
  }
}

/**
 * The input digests of one build: each path's digest is computed once (an input is read only after its producer,
 * if any, has finished, and no action changes another's output), file digests come from the store when the file is
 * unchanged.
 */
export class BuildInputs {
  private readonly memo = new Map<string, Promise<string>>();
  readonly store: DigestStore;

  constructor(private readonly root: string) {
    this.store = new DigestStore(root);
  }

  digest(path: string, produced: boolean): Promise<string> {
    const key = `${produced ? "p" : "s"}:${path}`;
    let d = this.memo.get(key);
    if (d === undefined) {
      d = inputDigest(this.root, path, produced, this.store);
      this.memo.set(key, d);
    }
    return d;
  }

  /** forgets `path` (an action is about to write it) */
  forget(path: string): void {
    this.memo.delete(`p:${path}`);
    this.memo.delete(`s:${path}`);
  }

  save(): void {
    this.store.save();
  }
}

/** The content digest of the regular file `abs` now (kept in `store` like an input's), or undefined if it is not one. */
export async function currentFileDigest(abs: string, store: DigestStore): Promise<string | undefined> {
  try {
    const st = await lstat(abs, { bigint: true });
    return st.isFile() ? await fileDigest(abs, st, store, true) : undefined;
  } catch {
    return undefined;
  }
}
