// A layer's diff against a parent whose tree has the same content as the one the child was snapshotted from, but
// another lineage (issue 19 item 1: two drivers sharing a working volume each built the parent, and the child was
// snapshotted from the other's). `btrfs send -p` against it would name every inode; the diff must still hold only
// what the child changed, byte for byte the diff against its real parent.
import { readFileSync, realpathSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { beforeAll, expect, it } from "vitest";
import { computeDiff } from "../../src/packaging/diff.js";
import { descendsFrom } from "../../src/storage/lineage.js";
import { describeBtrfs, freshScratchDir } from "../helpers/volume.js";
import { CHILD_FEATURES, PARENT_FEATURES, compileLayer, describeTree, pkg, sh, type Built } from "./helpers.js";

const CHILD_DIFF = ["etc/.wh.obsolete.conf", "var/.wh.old", "etc/version", "srv/", "srv/home.html", "srv/www/", "srv/www/index.html"];

async function diffTar(layer: Built, parent: Built, dir: string, name: string): Promise<{ names: string[]; sha256: string }> {
  const tar = join(dir, `${name}.tar`);
  const r = await pkg(["layer-diff", "--label", `//t:${name}`, "--layer", layer.out, "--parent", parent.out, "--out", tar]);
  expect(r.stderr).toBe("");
  return { names: sh("tar", ["-t", "-f", tar]).toString().trim().split("\n"), sha256: createHash("sha256").update(readFileSync(tar)).digest("hex") };
}

describeBtrfs("a layer diff against a parent of another lineage", () => {
  let parent: Built;
  let twin: Built;
  let child: Built;
  beforeAll(async () => {
    parent = await compileLayer("parent", PARENT_FEATURES("//test/packaging:parent"));
    // the same features again in the same working volume: the same content in a subvolume of its own
    twin = await compileLayer("parent", PARENT_FEATURES("//test/packaging:parent"), { wv: parent.wv });
    // a remove phase and a compile phase: the child's tree is a snapshot of a snapshot of the twin's
    child = await compileLayer("child", CHILD_FEATURES("//test/packaging:child"), { parent: twin });
  });

  it("the two parents hold the same tree, and only the twin is the child's ancestor", async () => {
    expect(describeTree(twin.out)).toEqual(describeTree(parent.out));
    const [c, p, t] = [child, parent, twin].map((b) => realpathSync(b.out));
    expect(await descendsFrom(c!, t!)).toBe(true);
    expect(await descendsFrom(c!, p!)).toBe(false);
    expect(await descendsFrom(t!, c!)).toBe(false);
    expect(await descendsFrom(c!, c!)).toBe(false);
  });

  it("the diff against the parent of another lineage is the diff against the real one: the child's changes alone", async () => {
    const dir = freshScratchDir("lineage-");
    const real = await diffTar(child, twin, dir, "real");
    const other = await diffTar(child, parent, dir, "other");
    expect(real.names).toEqual(CHILD_DIFF);
    expect(other.names).toEqual(CHILD_DIFF);
    expect(other.sha256).toBe(real.sha256);
  });

  it("plain directories (no btrfs lineage at all) give the same diff", async () => {
    const dir = freshScratchDir("lineage-plain-");
    // as the copy backend copies a tree
    sh("cp", ["-a", realpathSync(child.out), join(dir, "child")]);
    sh("cp", ["-a", realpathSync(parent.out), join(dir, "parent")]);
    const plain = await computeDiff(join(dir, "child"), join(dir, "parent"), "//t:plain");
    const onBtrfs = await computeDiff(realpathSync(child.out), realpathSync(twin.out), "//t:real");
    expect(plain).toEqual(onBtrfs);
    expect(plain.whiteouts).toEqual(["etc/.wh.obsolete.conf", "var/.wh.old"]);
  });
});
