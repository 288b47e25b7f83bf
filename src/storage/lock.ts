// Cross-process exclusive locks on a file in the working volume (proper-lockfile: a lock directory
// refreshed while held, taken over when its holder died and it went stale).
import lockfile from "proper-lockfile";
import { closeSync, openSync } from "node:fs";

export async function withLock<T>(lockPath: string, fn: () => Promise<T>): Promise<T> {
  closeSync(openSync(lockPath, "a"));
  const release = await lockfile.lock(lockPath, {
    stale: 30_000,
    update: 5_000,
    retries: { retries: 600, factor: 1, minTimeout: 100, maxTimeout: 500 },
    realpath: false,
    // A missed refresh under heavy I/O must not crash the holder; the lock only guards short critical sections.
    onCompromised: () => {},
  });
  try {
    return await fn();
  } finally {
    await release().catch(() => {});
  }
}
