// Issue 9 item 11: `strata clean` unmounts and removes the working volume, so `rm -rf` of a checkout works after
// it; it refuses while the volume is in use. Without root, strata says so at once instead of failing later with a
// raw EPERM from lchown.
import { expect, it } from "vitest";
import { execa } from "execa";
import { chownSync, existsSync, mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { mountsUnder } from "../../src/storage/clean.js";
import { isOnBtrfs } from "../../src/storage/fstype.js";
import { selfToken } from "../../src/storage/liveness.js";
import { describeBtrfs, freshBtrfsDir } from "../helpers/volume.js";
import { base, strata, strataBin, writeFeatures } from "../runner/helpers.js";

async function build(work: string, wv: string): Promise<string> {
  const out = join(work, "a.out");
  const r = await strata(["compile", "--label", "//c:a", "--phase", "compile", "--features", writeFeatures(join(work, "a.json"), base("//c:a")), "--out", out, "--working-volume", wv]);
  expect(r.stderr).toBe("");
  return out;
}

describeBtrfs("strata clean", () => {
  it("unmounts a loopback working volume and removes it, so rm -rf of the checkout works", async () => {
    // a checkout on a filesystem that is not btrfs: strata provisions a loopback btrfs volume inside it
    const checkout = mkdtempSync(join(tmpdir(), "strata-clean-"));
    expect(isOnBtrfs(checkout)).toBe(false);
    const wv = join(checkout, "strata-out");
    await build(checkout, wv);
    expect(mountsUnder(wv)).toEqual([join(wv, "btrfs")]);
    const r = await strata(["clean"], { cwd: checkout });
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(`unmounted ${join(wv, "btrfs")}\nremoved ${wv}`);
    expect(mountsUnder(checkout)).toEqual([]);
    expect(existsSync(wv)).toBe(false);
    rmSync(checkout, { recursive: true });
    expect(existsSync(checkout)).toBe(false);
    // again: nothing to do, and says so
    mkdirSync(checkout);
    const again = await strata(["clean", "--working-volume", wv]);
    expect(again.stdout).toBe(`nothing to clean: ${wv} does not exist`);
    rmSync(checkout, { recursive: true });
  });

  it("removes a working volume on btrfs whose published layers are read-only subvolumes", async () => {
    const dir = freshBtrfsDir("clean-");
    const wv = join(dir, "wv");
    await build(dir, wv);
    // what plain rm -rf cannot do
    expect((await execa("rm", ["-rf", wv], { reject: false })).exitCode).not.toBe(0);
    const r = await strata(["clean", "--working-volume", wv]);
    expect(r.stderr).toBe("");
    expect(existsSync(wv)).toBe(false);
  });

  it("removes the read-only layers of a working volume nested in it (a repro's) and any other subvolume there", async () => {
    const dir = freshBtrfsDir("clean-");
    const wv = join(dir, "wv");
    await build(dir, wv);
    await build(dir, join(wv, "repro", "t-1"));
    await execa("btrfs", ["subvolume", "create", join(wv, "stray")]);
    const r = await strata(["clean", "--working-volume", wv]);
    expect(r.stderr).toBe("");
    expect(existsSync(wv)).toBe(false);
  });

  it("refuses while a build runs on the volume, and removes nothing", async () => {
    const dir = freshBtrfsDir("clean-");
    const wv = join(dir, "wv");
    await build(dir, wv);
    const busy = join(wv, "layers", "in-progress");
    mkdirSync(busy);
    writeFileSync(join(busy, "building"), selfToken());
    const r = await strata(["clean", "--working-volume", wv]);
    expect(r.exitCode).toBe(1);
    expect(String(r.stderr)).toMatch(new RegExp(`^error: strata clean: the working volume ${wv} is in use\\n.*a build of in-progress \\(pid ${process.pid}\\)`, "s"));
    expect(readdirSync(join(wv, "layers")).length).toBe(2);
    rmSync(busy, { recursive: true });
    expect((await strata(["clean", "--working-volume", wv])).exitCode).toBe(0);
  });

  it("without root and with rootless builds off: compile says at once what is wrong, and clean will not unmount", async () => {
    const dir = mkdtempSync(join(tmpdir(), "strata-nonroot-"));
    chownSync(dir, 65534, 65534);
    const asNobody = (args: string[]) => execa("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "node", strataBin, ...args], { reject: false, env: { ...process.env, STRATA_BACKEND: "auto", STRATA_ROOTLESS: "false" } });
    const c = await asNobody(["compile", "--label", "//n:n", "--phase", "compile", "--features", writeFeatures(join(dir, "f.json"), base("//n:n")), "--out", join(dir, "out"), "--working-volume", join(dir, "wv")]);
    expect(c.exitCode).toBe(1);
    expect(c.stderr).toMatch(/^error: \/\/n:n: not root, and rootless builds are off/);
    expect(c.stderr).toContain("--backend copy");
    expect(c.stderr).not.toMatch(/EPERM|lchown/);
    // a mounted volume (made by root) cannot be cleaned by another user
    const wv = join(dir, "rootwv");
    await build(dir, wv);
    const k = await asNobody(["clean", "--working-volume", wv]);
    expect(k.exitCode).toBe(1);
    expect(k.stderr).toMatch(/^error: strata clean: strata needs root to unmount the working volume/);
    expect(mountsUnder(wv)).toEqual([join(wv, "btrfs")]);
    expect((await strata(["clean", "--working-volume", wv])).exitCode).toBe(0);
    rmSync(dir, { recursive: true });
  });
});
