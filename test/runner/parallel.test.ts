// Several runners on one working volume at once: distinct outputs, all correct.
import { expect, it } from "vitest";
import { readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { describeBtrfs, freshBtrfsDir, freshScratchDir } from "../helpers/volume.js";
import { base, strata, writeFeatures } from "./helpers.js";

describeBtrfs("parallel runners", () => {
  it("six compiles on one volume, on a shared parent, all succeed with their own content", async () => {
    const wv = freshBtrfsDir();
    const work = freshScratchDir();
    const parent = join(work, "parent");
    expect((await strata(["compile", "--label", "//p:parent", "--phase", "compile", "--features", writeFeatures(join(work, "p.json"), base("//p:parent")), "--out", parent, "--working-volume", wv])).exitCode).toBe(0);
    const runs = await Promise.all(
      [0, 1, 2, 3, 4, 5].map((i) =>
        strata([
          "compile", "--label", `//p:c${i}`, "--phase", "compile",
          "--features", writeFeatures(join(work, `c${i}.json`), [{ type: "install_text", label: `//p:c${i}`, text: `child ${i}\n`, dst: `/etc/app/c${i}` }]),
          "--out", join(work, `c${i}`), "--parent", parent, "--working-volume", wv,
          "--facts-out", join(work, `c${i}.facts.json`),
        ]),
      ),
    );
    for (const r of runs) expect(r.stderr).toBe("");
    const targets = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const out = join(work, `c${i}`);
      targets.add(readlinkSync(out));
      expect(readFileSync(join(out, `etc/app/c${i}`), "utf8")).toBe(`child ${i}\n`);
      expect(readFileSync(join(out, "etc/app/hello.txt"), "utf8")).toBe("hello\n");
      const facts = JSON.parse(readFileSync(join(work, `c${i}.facts.json`), "utf8")) as { paths: { path: string }[] };
      expect(facts.paths.map((p) => p.path).filter((p) => p.startsWith("/etc/app/c"))).toEqual([`/etc/app/c${i}`]);
    }
    expect(targets.size).toBe(6);
  });
});
