// A runner killed at any moment leaves OUT at the previous complete layer; the next run succeeds; gc cleans up.
import { expect, it } from "vitest";
import { execa } from "execa";
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describeBtrfs, freshBtrfsDir, freshScratchDir } from "../helpers/volume.js";
import { base, listTree, strata, strataBin, writeFeatures } from "./helpers.js";

function bigSource(dir: string, dirs: number, files: number): string {
  const src = join(dir, "big");
  for (let d = 0; d < dirs; d++) {
    mkdirSync(join(src, `d${d}`), { recursive: true });
    for (let f = 0; f < files; f++) writeFileSync(join(src, `d${d}`, `f${f}`), `${d}/${f}`);
  }
  return src;
}

describeBtrfs("crash safety", () => {
  it("SIGKILL mid-compile keeps OUT at the previous layer, and a re-run succeeds", async () => {
    const wv = freshBtrfsDir();
    const work = freshScratchDir();
    const out = join(work, "layer");
    const first = await strata(["compile", "--label", "//c:l", "--phase", "compile", "--features", writeFeatures(join(work, "base.json"), base("//c:l")), "--out", out, "--working-volume", wv]);
    expect(first.exitCode).toBe(0);
    const previous = readlinkSync(out);
    const before = listTree(out);

    const src = bigSource(work, 20, 1000);
    const big = writeFeatures(join(work, "big.json"), [...base("//c:l"), { type: "install", label: "//c:l", src, dst: "/data/" }]);
    const args = ["compile", "--label", "//c:l", "--phase", "compile", "--features", big, "--out", out, "--working-volume", wv];
    const child = execa("node", [strataBin, ...args], { reject: false });
    // wait until the features are being applied: the new layer's tree has some of the big directory in it
    const layers = join(wv, "layers");
    let applying = false;
    while (!applying) {
      if (child.exitCode !== null) throw new Error(`compile ended before it could be interrupted: ${String((await child).stderr)}`);
      applying = readdirSync(layers).some((n) => existsSync(join(layers, n, "root", "data", "d0")));
      if (!applying) await sleep(20);
    }
    child.kill("SIGKILL");
    const r = await child;
    expect(r.signal).toBe("SIGKILL");
    expect(readlinkSync(out)).toBe(previous);
    expect(listTree(out)).toEqual(before);
    expect(readdirSync(layers).length).toBe(2);

    const again = await strata(args);
    expect(again.stderr).toBe("");
    expect(again.exitCode).toBe(0);
    expect(readFileSync(join(out, "data/d19/f999"), "utf8")).toBe("19/999");

    // the default grace period keeps the superseded layer a day, but the killed build goes at once
    const gcDefault = await strata(["gc", "--working-volume", wv]);
    expect(gcDefault.stdout).toMatch(/^gc: 1 removed, 0 trees removed with facts kept, 2 kept$/m);
    expect(readdirSync(layers)).toContain(previous.split("/").slice(-2)[0]);
    const gc = await strata(["gc", "--working-volume", wv, "--grace-seconds", "0"]);
    expect(gc.exitCode).toBe(0);
    // the killed build and the superseded first layer are gone; the published layer stays
    expect(readdirSync(layers)).toEqual([readlinkSync(out).split("/").slice(-2)[0]]);
  });
});
