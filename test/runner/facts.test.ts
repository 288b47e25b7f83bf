// `strata facts`: the full facts export of a published layer, and a clear error when it is not one.
import { expect, it } from "vitest";
import { readFileSync, realpathSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { describeBtrfs, freshBtrfsDir, freshScratchDir } from "../helpers/volume.js";
import { base, strata, writeFeatures } from "./helpers.js";

describeBtrfs("strata facts", () => {
  it("exports a layer's facts, and names what is missing when the layer record is gone", async () => {
    const wv = freshBtrfsDir();
    const work = freshScratchDir();
    const out = join(work, "layer");
    const features = writeFeatures(join(work, "f.json"), [...base("//f:layer"), { type: "install_text", label: "//f:layer", text: "x\n", dst: "/x" }]);
    const built = await strata(["compile", "--label", "//f:layer", "--phase", "compile", "--features", features, "--out", out, "--working-volume", wv]);
    expect(built.stderr).toBe("");

    const ok = await strata(["facts", "--layer", out, "--out", join(work, "facts.json")]);
    expect(ok.exitCode).toBe(0);
    const facts = JSON.parse(readFileSync(join(work, "facts.json"), "utf8")) as { label: string; phase: string; paths: { path: string }[] };
    expect(facts.label).toBe("//f:layer");
    expect(facts.phase).toBe("compile");
    expect(facts.paths.map((p) => p.path)).toContain("/x");

    rmSync(join(dirname(realpathSync(out)), "layer.json"));
    const bad = await strata(["facts", "--layer", out, "--out", join(work, "facts2.json")]);
    expect(bad.exitCode).toBe(1);
    expect(String(bad.stderr)).toMatch(/^error: \S+: the layer \S+ has no readable layer\.json\n/);
  });
});
