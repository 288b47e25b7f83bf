// The persistent action cache, safe under concurrent `strata local` processes. One record per action (owner,
// category, identifier) in buck-out/v2/.strata-action-cache/<sha256 of the id>.json, each written to a temporary file
// and renamed, so a process only ever replaces the records of the actions it ran (no whole-file rewrite that loses
// another process's entries). A record holds the action key (which covers the digests of the action's inputs) and a
// fingerprint of each output as the action left it. A hit needs both: the same key, and every output still the one
// this action produced (same link text resolving to an existing target, such as a published layer; same inode, size,
// mtime and ctime for a file or directory). Whichever process wrote last, a stale or foreign output is never taken for a hit.
// A file output whose inode changed only in ways that leave its bytes alone (a hard link to it changes its ctime, as
// the Debian phase's staging of .debs does) is still a hit when its content is the digest kept for it as it was
// recorded: the action is not run again, and its record is brought up to date.
// Work on one action is serialised across processes by a lock per action, so two builds never run it at once.
import { createHash } from "node:crypto";
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { lstat, readlink, stat } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import lockfile from "proper-lockfile";
import { currentFileDigest, statIdentity, type DigestStore } from "./digest.js";

interface CacheRecord {
  id: string;
  key: string;
  outputs: Record<string, string>;
}

/** What an output is now, or undefined when it is missing (or a symlink that no longer resolves). */
export async function outputFingerprint(abs: string): Promise<string | undefined> {
  try {
    const st = await lstat(abs, { bigint: true });
    if (st.isSymbolicLink()) {
      const target = await stat(abs, { bigint: true });
      return `link:${await readlink(abs)}:${target.dev}:${target.ino}`;
    }
    return statIdentity(st);
  } catch {
    return undefined;
  }
}

export class ActionCache {
  private readonly dir: string;

  constructor(private readonly root: string) {
    this.dir = join(root, "buck-out", "v2", ".strata-action-cache");
  }

  private file(id: string): string {
    return join(this.dir, createHash("sha256").update(id).digest("hex"));
  }

  private read(id: string): CacheRecord | undefined {
    try {
      const r = JSON.parse(readFileSync(this.file(id) + ".json", "utf8")) as CacheRecord;
      return r.id === id && typeof r.key === "string" && r.outputs !== null && typeof r.outputs === "object" ? r : undefined;
    } catch {
      return undefined;
    }
  }

  /** Whether the action with this id and key can be skipped: recorded with `key`, and its outputs are untouched
   * (or, for a file, hold the bytes `digests` kept for it as recorded). */
  async hit(id: string, key: string, outputs: string[], digests?: DigestStore): Promise<boolean> {
    const r = this.read(id);
    if (r === undefined || r.key !== key) return false;
    let refreshed = false;
    for (const o of outputs) {
      const abs = join(this.root, o);
      const now = await outputFingerprint(abs);
      if (now === undefined) return false;
      const was = r.outputs[o];
      if (was === now) continue;
      const keptDigest = was !== undefined && digests !== undefined ? digests.get(abs, was) : undefined;
      if (keptDigest === undefined || (await currentFileDigest(abs, digests!)) !== keptDigest) return false;
      r.outputs[o] = now;
      refreshed = true;
    }
    if (refreshed) this.write(r);
    return true;
  }

  /** Forgets every action (`strata local repro` builds from scratch). */
  clear(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Forgets the action (before it runs: a crash mid-run must not leave a record that matches). */
  invalidate(id: string): void {
    rmSync(this.file(id) + ".json", { force: true });
  }

  /** Records that the action ran with `key` and left `outputs` as they are now. */
  async record(id: string, key: string, outputs: string[]): Promise<void> {
    const fp: Record<string, string> = {};
    for (const o of outputs) {
      const now = await outputFingerprint(join(this.root, o));
      if (now === undefined) return;
      fp[o] = now;
    }
    this.write({ id, key, outputs: fp });
  }

  private write(r: CacheRecord): void {
    mkdirSync(this.dir, { recursive: true });
    const target = this.file(r.id) + ".json";
    const tmp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(tmp, JSON.stringify(r satisfies CacheRecord));
    renameSync(tmp, target);
  }

  /** Takes the lock, waiting as long as another process holds it: its action (a Debian install, say) may run for
   * many minutes. (A wait loop of our own: proper-lockfile's `retries` builds a table of every retry's delay up
   * front, which for a wait of minutes costs more than the lock itself.) */
  private async lock(lockPath: string): Promise<() => Promise<void>> {
    for (;;) {
      try {
        return await lockfile.lock(lockPath, { stale: 30_000, update: 5_000, retries: 0, realpath: false, onCompromised: () => {} });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ELOCKED") throw e;
        await sleep(200 + Math.random() * 300);
      }
    }
  }

  /** Runs `fn` holding this action's lock, so no other process checks, runs or records the action meanwhile. */
  async withLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    mkdirSync(this.dir, { recursive: true });
    const lockPath = this.file(id) + ".lock";
    closeSync(openSync(lockPath, "a"));
    const release = await this.lock(lockPath);
    try {
      return await fn();
    } finally {
      await release().catch(() => {});
    }
  }
}
