// Issue 9 item 3: what a killed build leaves behind. A publish killed between writing and renaming its temporary
// registry entry leaves outputs/.<sha>.tmp-<pid>-<rand>: gc removes it. A process killed while holding gc.lock
// does not make the next build or gc wait for the lock to go stale: its holder is seen dead (pid and start time)
// and the lock is taken over at once.
import { describe, expect, it } from "vitest";
import { execa } from "execa";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { collectGarbage } from "../../src/storage/gc.js";
import { gcLockPath, outputRegistryEntry, publishLayer, beginLayer } from "../../src/storage/layers.js";
import { tempSibling } from "../../src/storage/atomic.js";
import { expireDeadHolder, withLock } from "../../src/storage/lock.js";
import { openWorkingVolume } from "../../src/storage/volume.js";
import { describeBtrfs, freshBtrfsDir, freshScratchDir } from "../helpers/volume.js";
import { base, repoRoot, strata, writeFeatures } from "../runner/helpers.js";

/** a node process that takes the lock through the built runner's own module, says so, then waits for stdin */
function holder(lockPath: string) {
  const script = `import { withLock } from ${JSON.stringify(join(repoRoot, "dist/src/storage/lock.js"))};
await withLock(process.argv[1], async () => { process.stdout.write("held\\n"); await new Promise((r) => process.stdin.once("data", r)); });
process.exit(0);`;
  return execa("node", ["--input-type=module", "-e", script, lockPath], { reject: false, stdin: "pipe" });
}

async function waitForLine(child: ReturnType<typeof holder>): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => d.toString().includes("held") && resolve());
    child.on("exit", () => reject(new Error("holder exited before taking the lock")));
  });
}

describeBtrfs("crash leftovers", () => {
  it("gc removes the temporary registry entry of a publish that was killed, and keeps the real entries", async () => {
    const wv = await openWorkingVolume({ dir: freshBtrfsDir("leftover-") });
    const work = freshScratchDir("leftover-");
    // a published layer, so the registry has a real entry next to the leftover
    const layer = await beginLayer(wv, "//c:a", "compile");
    await wv.backend.createEmpty(layer.tree);
    const out = join(work, "a.out");
    await publishLayer(wv, layer, out);
    // exactly what writeFileAtomic leaves when killed before its rename (pid of a process that no longer exists)
    const leftover = tempSibling(outputRegistryEntry(wv, join(work, "b.out"))).replace(`tmp-${process.pid}-`, "tmp-999999999-");
    writeFileSync(leftover, join(work, "b.out"));
    const r = await collectGarbage(wv);
    expect(r.tempsRemoved).toEqual([leftover]);
    expect(existsSync(leftover)).toBe(false);
    expect(readdirSync(wv.outputsDir)).toEqual([outputRegistryEntry(wv, out).split("/").pop()]);
    expect(r.kept).toEqual([layer.name]);
  });

  it("publishing OUT again removes the temporary OUT symlink a killed publish left beside it", async () => {
    const wv = await openWorkingVolume({ dir: freshBtrfsDir("leftover-") });
    const work = freshScratchDir("leftover-");
    const out = join(work, "a.out");
    const stray = tempSibling(out).replace(`tmp-${process.pid}-`, "tmp-999999999-");
    symlinkSync("/nonexistent", stray);
    const layer = await beginLayer(wv, "//c:a", "compile");
    await wv.backend.createEmpty(layer.tree);
    await publishLayer(wv, layer, out);
    expect(readdirSync(work)).toEqual(["a.out"]);
  });

  it("provisioning a loopback volume removes the half-formatted image a killed runner left", async () => {
    const checkout = mkdtempSync(join(tmpdir(), "strata-leftover-"));
    const wv = join(checkout, "strata-out");
    mkdirSync(wv);
    const stray = join(wv, "btrfs.img.tmp-999999999");
    writeFileSync(stray, "half formatted");
    const r = await strata(["compile", "--label", "//c:a", "--phase", "compile", "--features", writeFeatures(join(checkout, "a.json"), base("//c:a")), "--out", join(checkout, "a.out"), "--working-volume", wv]);
    expect(r.stderr).toBe("");
    expect(existsSync(stray)).toBe(false);
    expect((await strata(["clean", "--working-volume", wv])).exitCode).toBe(0);
    rmSync(checkout, { recursive: true });
  });

  describe("gc.lock held by a process that was killed", () => {
    it("a live holder is waited for; a killed one is taken over without waiting for staleness", async () => {
      const wv = await openWorkingVolume({ dir: freshBtrfsDir("lockdead-") });
      const lock = gcLockPath(wv);
      const child = holder(lock);
      await waitForLine(child);
      // alive: never expired
      expect(expireDeadHolder(lock)).toBe(false);
      const fresh = statSync(`${lock}.lock`).mtimeMs;
      expect(Date.now() - fresh).toBeLessThan(30_000);
      child.kill("SIGKILL");
      await child;
      // dead, and its lock directory still fresh: it is recognised as dead and aged, so proper-lockfile takes it over
      expect(existsSync(`${lock}.lock`)).toBe(true);
      expect(expireDeadHolder(lock)).toBe(true);
      expect(statSync(`${lock}.lock`).mtimeMs).toBe(0);
      let ran = false;
      await withLock(lock, async () => {
        ran = true;
      });
      expect(ran).toBe(true);
      expect(existsSync(`${lock}.lock`)).toBe(false);
    });

    it("gc after a holder was killed completes, and a record about an older lock directory is not trusted", async () => {
      const wv = await openWorkingVolume({ dir: freshBtrfsDir("lockdead-") });
      const lock = gcLockPath(wv);
      const child = holder(lock);
      await waitForLine(child);
      child.kill("SIGKILL");
      await child;
      // gc would otherwise wait 30 s for staleness and then some; here it takes the lock at once
      const r = await collectGarbage(wv);
      expect(r.removed).toEqual([]);
      // a dead holder's record that names another lock directory (the lock was released and taken anew) is ignored
      const child2 = holder(lock);
      await waitForLine(child2);
      writeFileSync(`${lock}.owner`, "1:1 999999999 0\n");
      expect(expireDeadHolder(lock)).toBe(false);
      child2.stdin!.end("go\n");
      expect((await child2).exitCode).toBe(0);
      expect(existsSync(`${lock}.owner`)).toBe(false);
    });
  });
});
