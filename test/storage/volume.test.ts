// The working volume: backend selection, and the loopback btrfs volume provisioned once on a non-btrfs directory.
import { afterAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { execa } from "execa";
import { join } from "node:path";
import { isOnBtrfs } from "../../src/storage/fstype.js";
import { openWorkingVolume } from "../../src/storage/volume.js";
import { describeBtrfs, freshBtrfsDir, freshScratchDir } from "../helpers/volume.js";
import { base, strata, strataBin, writeFeatures } from "../runner/helpers.js";

const mounted: string[] = [];

function mountCount(mnt: string): number {
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .filter((l) => l.split(" ")[4] === mnt).length;
}

afterAll(() => {
  for (const m of mounted) execFileSync("umount", ["-l", m]);
});

describeBtrfs("working volume", () => {
  it("uses a btrfs directory as it is", async () => {
    const dir = freshBtrfsDir();
    const wv = await openWorkingVolume({ dir, backend: "auto" });
    expect(wv.backend.kind).toBe("btrfs");
    expect(wv.store).toBe(dir);
  });

  it("uses plain directories when asked for the copy backend", async () => {
    const dir = freshScratchDir();
    const wv = await openWorkingVolume({ dir, backend: "copy" });
    expect(wv.backend.kind).toBe("copy");
    expect(wv.store).toBe(dir);
  });

  it("rejects an unknown backend with an error", async () => {
    await expect(openWorkingVolume({ dir: freshScratchDir(), backend: "zfs" })).rejects.toThrow(/error: strata: unknown storage backend/);
  });

  it("provisions one loopback btrfs volume on a non-btrfs directory, shared by concurrent runners and reused later", async () => {
    const dir = freshScratchDir("wv-");
    expect(isOnBtrfs(dir)).toBe(false);
    const mnt = join(dir, "btrfs");
    mounted.push(mnt);
    const work = freshScratchDir("work-");
    const runs = await Promise.all(
      [0, 1, 2].map((i) =>
        strata(["compile", "--label", `//p:l${i}`, "--phase", "compile", "--features", writeFeatures(join(work, `f${i}.json`), base(`//p:l${i}`)), "--out", join(work, `out${i}`), "--working-volume", dir]),
      ),
    );
    for (const r of runs) expect(r.stderr).toBe("");
    expect(runs.map((r) => r.exitCode)).toEqual([0, 0, 0]);
    expect(isOnBtrfs(mnt)).toBe(true);
    expect(mountCount(mnt)).toBe(1);
    const again = await strata(["compile", "--label", "//p:again", "--phase", "compile", "--features", join(work, "f0.json"), "--out", join(work, "again"), "--working-volume", dir]);
    expect(again.exitCode).toBe(0);
    expect(mountCount(mnt)).toBe(1);
    const wv = await openWorkingVolume({ dir });
    expect(wv.store).toBe(mnt);
    expect(wv.backend.kind).toBe("btrfs");
  });
});

describe("backend without root", () => {
  it("without root and with rootless builds off, the copy backend asked for by name builds paths owned by the user", async () => {
    const dir = mkdtempSync(join(tmpdir(), "strata-nobody-"));
    chownSync(dir, 65534, 65534);
    const f = writeFeatures(join(dir, "f.json"), [
      { type: "ensure_dirs_exist", label: "//n:n", dirs: "/etc", user: 65534, group: 65534 },
      { type: "install_text", label: "//n:n", text: "x", dst: "/etc/x", user: 65534, group: 65534 },
    ]);
    const r = await execa("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "node", strataBin, "compile", "--label", "//n:n", "--phase", "compile", "--features", f, "--out", join(dir, "out"), "--working-volume", join(dir, "wv")], { reject: false, env: { ...process.env, STRATA_BACKEND: "copy", STRATA_ROOTLESS: "false" } });
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    const target = readlinkSync(join(dir, "out"));
    expect(target.startsWith(join(dir, "wv", "layers"))).toBe(true);
    expect(existsSync(`${target}.readonly`)).toBe(true);
    expect(readFileSync(join(dir, "out", "etc", "x"), "utf8")).toBe("x");
    rmSync(dir, { recursive: true, force: true });
  });
});
