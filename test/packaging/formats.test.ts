// Each file format, unpacked by its real client (GNU tar, cpio, unsquashfs, a read-only ext4 loop mount,
// btrfs receive), gives back the layer's tree: contents, modes, owners, times, symlinks, hard links and xattrs.
import { beforeAll, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describeBtrfs, freshBtrfsDir, freshScratchDir } from "../helpers/volume.js";
import { CHILD_FEATURES, PARENT_FEATURES, compileLayer, describeTree, layerWithExtras, pkg, sh, type Built } from "./helpers.js";

describeBtrfs("package formats read back by their clients", () => {
  let layer: Built;
  let parent: Built;
  let want: string[];
  beforeAll(async () => {
    parent = await compileLayer("parent", PARENT_FEATURES("//test/packaging:parent"));
    const child = await compileLayer("child", CHILD_FEATURES("//test/packaging:child"), { parent });
    layer = await layerWithExtras(child);
    want = describeTree(layer.out);
    expect(want.some((l) => l.startsWith("usr/bin/ping f") && l.includes("security.capability"))).toBe(true);
  });

  it("tar, tar.gz and tar.zst: GNU tar extracts the tree with capabilities; the compressed forms hold the same tar", async () => {
    const dir = freshScratchDir("tar-");
    for (const f of ["tar", "tar.gz", "tar.zst"]) {
      const r = await pkg([f, "--label", "//t:pkg", "--layer", layer.out, "--out", join(dir, `l.${f}`)]);
      expect(r.stderr).toBe("");
    }
    const tar = readFileSync(join(dir, "l.tar"));
    expect(sh("pigz", ["-dc", join(dir, "l.tar.gz")]).equals(tar)).toBe(true);
    expect(sh("zstd", ["-dc", join(dir, "l.tar.zst")]).equals(tar)).toBe(true);
    const into = join(dir, "x");
    mkdirSync(into);
    sh("tar", ["-x", "-f", join(dir, "l.tar"), "-C", into, "--xattrs", "--xattrs-include=*", "--numeric-owner", "-p"]);
    expect(describeTree(into)).toEqual(want);
  });

  it("cpio (newc), cpio.gz, cpio.zst: cpio -i gives back the tree (newc holds no xattrs)", async () => {
    const dir = freshScratchDir("cpio-");
    for (const f of ["cpio", "cpio.gz", "cpio.zst"]) {
      const r = await pkg([f, "--label", "//t:pkg", "--layer", layer.out, "--out", join(dir, `l.${f}`)]);
      expect(r.stderr).toBe("");
    }
    const raw = readFileSync(join(dir, "l.cpio"));
    expect(raw.subarray(0, 6).toString()).toBe("070701");
    expect(sh("pigz", ["-dc", join(dir, "l.cpio.gz")]).equals(raw)).toBe(true);
    expect(sh("zstd", ["-dc", join(dir, "l.cpio.zst")]).equals(raw)).toBe(true);
    const into = join(dir, "x");
    mkdirSync(into);
    sh("cpio", ["-i", "-d", "-m", "--quiet", "--no-absolute-filenames", "--numeric-uid-gid"], { cwd: into, input: raw });
    // cpio -i sets a directory's time before filling it, and the root's not at all: compare times of non-directories
    const noDirTimes = (lines: string[]) => lines.map((l) => (/^\S+ d /.test(l) ? l.replace(/ t=\d+/, "") : l));
    const noXattr = want.map((l) => l.replace(/ xattr:.*$/, ""));
    expect(noDirTimes(describeTree(into))).toEqual(noDirTimes(noXattr));
  });

  it("squashfs: unsquashfs gives back the tree with capabilities", async () => {
    const dir = freshScratchDir("sq-");
    const img = join(dir, "l.squashfs");
    const r = await pkg(["squashfs", "--label", "//t:pkg", "--layer", layer.out, "--out", img, "--compressor", "zstd"]);
    expect(r.stderr).toBe("");
    sh("unsquashfs", ["-q", "-n", "-d", join(dir, "x"), img]);
    expect(describeTree(join(dir, "x"))).toEqual(want);
  });

  it("ext4 (computed size, free space, label): a read-only loop mount shows the tree with capabilities; e2fsck finds it clean", async () => {
    const dir = freshScratchDir("e4-");
    const img = join(dir, "l.ext4");
    const r = await pkg(["ext4", "--label", "//t:pkg", "--layer", layer.out, "--out", img, "--free-mb", "8", "--fs-label", "strata-test"]);
    expect(r.stderr).toBe("");
    sh("e2fsck", ["-fn", img]);
    expect(sh("dumpe2fs", ["-h", img]).toString()).toMatch(/Filesystem volume name:\s+strata-test/);
    const mnt = join(dir, "mnt");
    mkdirSync(mnt);
    sh("mount", ["-o", "loop,ro,noload", "-t", "ext4", img, mnt]);
    try {
      expect(describeTree(mnt, { ignore: (p) => p === "lost+found" })).toEqual(want);
      const df = sh("df", ["-k", "--output=avail", mnt]).toString().split("\n")[1]!;
      expect(Number(df.trim())).toBeGreaterThanOrEqual(7 * 1024);
    } finally {
      sh("umount", [mnt]);
    }
  });

  it("sendstream and an incremental sendstream.zst: btrfs receive gives back the tree", async () => {
    const dir = freshScratchDir("ss-");
    const full = join(dir, "parent.sendstream");
    const inc = join(dir, "child.sendstream.zst");
    expect((await pkg(["sendstream", "--label", "//t:pkg", "--layer", parent.out, "--out", full])).stderr).toBe("");
    expect((await pkg(["sendstream.zst", "--label", "//t:pkg", "--layer", layer.out, "--parent", parent.out, "--out", inc])).stderr).toBe("");
    const recv = freshBtrfsDir("recv-");
    sh("btrfs", ["receive", "-q", "-f", full, recv]);
    expect(describeTree(join(recv, "root"))).toEqual(describeTree(parent.out));
    // the incremental stream needs the parent on the receiving filesystem: received above, found by its UUID
    const recv2 = freshBtrfsDir("recv-");
    sh("btrfs", ["receive", "-q", recv2], { input: sh("zstd", ["-dc", inc]) });
    expect(readdirSync(recv2)).toEqual(["root"]);
    expect(describeTree(join(recv2, "root"))).toEqual(want);
  });

  it("an output is written whole or not at all: a failing format leaves neither the file nor a partial one", async () => {
    const dir = freshScratchDir("atomic-");
    const big = await layerWithExtras(parent, (tree) => writeFileSync(join(tree, "etc/big.bin"), randomBytes(3 * 1024 * 1024)));
    const r = await pkg(["ext4", "--label", "//t:small", "--layer", big.out, "--out", join(dir, "small.ext4"), "--size-mb", "1"]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.split("\n")[0]).toMatch(/^error: \/\/t:small: the layer does not fit in an ext4 image of 1 MiB$/);
    expect(existsSync(join(dir, "small.ext4"))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });
});
