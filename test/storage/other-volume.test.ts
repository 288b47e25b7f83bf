// Issue 9 item 4: a parent layer that lives in another working volume (a checkout copied with its buck-out, whose
// output symlinks still point at the first checkout's volume) is refused with what happened and what to do, not
// an internal "Invalid cross-device link" with a stack trace; nothing is published and the other volume is untouched.
import { expect, it } from "vitest";
import { cpSync, existsSync, readdirSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { describeBtrfs, freshBtrfsDir, freshScratchDir } from "../helpers/volume.js";
import { base, strata, writeFeatures } from "../runner/helpers.js";

describeBtrfs("a parent layer from another working volume", () => {
  it("is refused with the parent's label and how to rebuild it here", async () => {
    const first = freshScratchDir("checkout1-");
    const wv1 = freshBtrfsDir("wv1-");
    const wv2 = freshBtrfsDir("wv2-");
    const compile = (work: string, wv: string, name: string, features: object[], parent?: string) => {
      const args = ["compile", "--label", `//v:${name}`, "--phase", "compile", "--features", writeFeatures(join(work, `${name}.json`), features), "--out", join(work, name), "--working-volume", wv];
      if (parent !== undefined) args.push("--parent", parent);
      return strata(args);
    };
    const p = await compile(first, wv1, "parent", base("//v:parent"));
    expect(p.stderr).toBe("");
    // the second checkout: a copy of the first, output symlinks included, with its own working volume
    const second = freshScratchDir("checkout2-");
    cpSync(join(first, "parent"), join(second, "parent"), { verbatimSymlinks: true });
    expect(readlinkSync(join(second, "parent"))).toContain(wv1);
    const before = readdirSync(join(wv1, "layers"));
    const r = await compile(second, wv2, "child", [{ type: "install_text", label: "//v:child", text: "x\n", dst: "/x" }], join(second, "parent"));
    expect(r.exitCode).toBe(1);
    const stderr = String(r.stderr);
    expect(stderr).toMatch(/^error: \/\/v:child: the parent layer \/\/v:parent was built in another working volume\n/);
    expect(stderr).toContain(`delete ${join(second, "parent")}`);
    expect(stderr).toContain("buck2 build //v:parent");
    expect(stderr).not.toMatch(/cross-device|internal error|\n\s+at /);
    expect(existsSync(join(second, "child"))).toBe(false);
    expect(readdirSync(join(wv1, "layers"))).toEqual(before);
    // nothing half-built is left in the second volume either
    expect(existsSync(join(wv2, "layers")) ? readdirSync(join(wv2, "layers")) : []).toEqual([]);
  });
});
