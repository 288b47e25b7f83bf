// `strata package` on bad input: one `error:` line naming the target first, exit 1, nothing written.
import { expect, it } from "vitest";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describeBtrfs, freshScratchDir } from "../helpers/volume.js";
import { compileLayer, pkg } from "./helpers.js";

describeBtrfs("strata package: bad input", () => {
  it("an unknown format", async () => {
    const dir = freshScratchDir("err-");
    const r = await pkg(["qcow9", "--label", "//img:disk", "--layer", join(dir, "nothing"), "--out", join(dir, "o")]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.split("\n")[0]).toBe('error: //img:disk: unknown package format "qcow9"');
    expect(readdirSync(dir)).toEqual([]);
  });

  it("a --layer that is not a layer (a plain file), and one that does not exist", async () => {
    const dir = freshScratchDir("err-");
    writeFileSync(join(dir, "file"), "x");
    const r = await pkg(["tar", "--label", "//img:t", "--layer", join(dir, "file"), "--out", join(dir, "o.tar")]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.split("\n")[0]).toBe(`error: //img:t: the layer output ${join(dir, "file")} is not a layer`);
    const missing = await pkg(["squashfs", "--label", "//img:s", "--layer", join(dir, "gone"), "--out", join(dir, "o.sq")]);
    expect(missing.stderr.split("\n")[0]).toBe(`error: //img:s: the layer output ${join(dir, "gone")} does not exist`);
    expect(readdirSync(dir)).toEqual(["file"]);
  });

  it("option values out of range are named before any work is done", async () => {
    const layer = await compileLayer("l", [{ type: "ensure_dirs_exist", label: "//t:l", dirs: "/etc" }]);
    const dir = freshScratchDir("err-");
    const level = await pkg(["tar.gz", "--label", "//img:g", "--layer", layer.out, "--out", join(dir, "o"), "--compression-level", "12"]);
    expect(level.stderr.split("\n")[0]).toBe("error: //img:g: compression_level 12 is out of range for gzip");
    const label = await pkg(["ext4", "--label", "//img:e", "--layer", layer.out, "--out", join(dir, "o"), "--fs-label", "a-label-longer-than-16"]);
    expect(label.stderr.split("\n")[0]).toBe("error: //img:e: an ext4 label holds at most 16 bytes");
    const comp = await pkg(["squashfs", "--label", "//img:q", "--layer", layer.out, "--out", join(dir, "o"), "--compressor", "brotli"]);
    expect(comp.stderr.split("\n")[0]).toBe('error: //img:q: unknown squashfs compressor "brotli"');
    expect(readdirSync(dir)).toEqual([]);
  });
});
