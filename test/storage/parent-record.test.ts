// Storage keeps each layer's parent in the layer's own record (layer.json factsParent), so gc and output
// resolution never read the facts format.
import { readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { expect, it } from "vitest";
import { describeBtrfs, freshBtrfsDir, freshScratchDir } from "../helpers/volume.js";
import { base, strata, writeFeatures } from "../runner/helpers.js";

const layerDirOf = (out: string): string => dirname(readlinkSync(out));
const record = (out: string): { label: string; factsParent?: string | null } => JSON.parse(readFileSync(join(layerDirOf(out), "layer.json"), "utf8"));

describeBtrfs("the layer record names its facts parent", () => {
  it("null for a layer without parent, the parent layer's name for a child", async () => {
    const wv = freshBtrfsDir();
    const work = freshScratchDir();
    const compile = (name: string, features: object[], extra: string[] = []) =>
      strata(["compile", "--label", `//r:${name}`, "--phase", "compile", "--features", writeFeatures(join(work, `${name}.json`), features), "--out", join(work, name), "--working-volume", wv, ...extra]);
    expect((await compile("parent", base("//r:parent"))).exitCode).toBe(0);
    const child = await compile("child", [{ type: "install_text", label: "//r:child", text: "x", dst: "/etc/app/x" }], ["--parent", join(work, "parent")]);
    expect(child.stderr).toBe("");
    expect(record(join(work, "parent")).factsParent).toBeNull();
    expect(record(join(work, "child")).factsParent).toBe(basename(layerDirOf(join(work, "parent"))));

    // a layer whose record was never completed (no factsParent) is not a usable parent
    const info = join(layerDirOf(join(work, "parent")), "layer.json");
    const { factsParent: _, ...incomplete } = record(join(work, "parent"));
    writeFileSync(info, JSON.stringify(incomplete));
    const r = await compile("grandchild", [], ["--parent", join(work, "parent")]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^error: \/\/r:grandchild: the parent layer output .* is dangling/m);
    rmSync(work, { recursive: true, force: true });
  });
});
