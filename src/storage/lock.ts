// Cross-process exclusive locks on a file in the working volume (proper-lockfile: a lock directory refreshed
// while held, taken over when it went stale). A holder also records who it is (pid and process start time) and
// which lock directory it holds; a waiter that finds that holder dead takes over at once instead of waiting for
// the lock to go stale (30 s).
import lockfile from "proper-lockfile";
import { closeSync, constants, fstatSync, futimesSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { selfToken, tokenAlive } from "./liveness.js";

const STALE_MS = 30_000;

function lockDirOf(lockPath: string): string {
  return `${lockPath}.lock`;
}

export function ownerFileOf(lockPath: string): string {
  return `${lockPath}.owner`;
}

/** one lock directory, as opposed to an earlier one at the same path: inode and birth time */
function identity(st: { ino: bigint; birthtimeNs: bigint }): string {
  return `${st.ino}:${st.birthtimeNs}`;
}

/**
 * When the lock directory's recorded holder is dead, ages that very directory (through a descriptor, so a newer
 * lock that replaced it in the meantime is never touched) so that proper-lockfile takes it over as stale.
 */
export function expireDeadHolder(lockPath: string): boolean {
  let fd: number;
  try {
    fd = openSync(lockDirOf(lockPath), constants.O_RDONLY | constants.O_DIRECTORY);
  } catch {
    return false; // not held (any more)
  }
  try {
    const st = fstatSync(fd, { bigint: true });
    if (st.birthtimeNs === 0n) return false; // no birth time here: cannot tell lock directories apart, wait
    let owner: string;
    try {
      owner = readFileSync(ownerFileOf(lockPath), "utf8");
    } catch {
      return false;
    }
    const [dir, ...token] = owner.trim().split(" ");
    // the record must be about this lock directory: a holder writes it just after taking the lock
    if (dir !== identity(st) || tokenAlive(token.join(" "))) return false;
    futimesSync(fd, 0, 0);
    return true;
  } finally {
    closeSync(fd);
  }
}

async function acquire(lockPath: string): Promise<() => Promise<void>> {
  const deadline = Date.now() + 600 * 500;
  for (;;) {
    try {
      return await lockfile.lock(lockPath, {
        stale: STALE_MS,
        update: 5_000,
        retries: 0,
        realpath: false,
        // A missed refresh under heavy I/O must not crash the holder; the lock only guards short critical sections.
        onCompromised: () => {},
      });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ELOCKED" || Date.now() > deadline) throw e;
    }
    if (!expireDeadHolder(lockPath)) await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
  }
}

export async function withLock<T>(lockPath: string, fn: () => Promise<T>): Promise<T> {
  closeSync(openSync(lockPath, "a"));
  const release = await acquire(lockPath);
  const owner = ownerFileOf(lockPath);
  try {
    const st = statSync(lockDirOf(lockPath), { bigint: true });
    // advisory, so no rename dance: a waiter that reads it half-written sees no match and simply waits
    writeFileSync(owner, `${identity(st)} ${selfToken()}\n`);
    return await fn();
  } finally {
    rmSync(owner, { force: true });
    await release().catch(() => {});
  }
}
