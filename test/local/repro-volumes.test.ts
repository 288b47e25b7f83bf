// `strata local repro` builds in two working volumes of its own (`repro/<tag>-1`, `-2` in the project's store) and
// removes both when it is done (issue 19 item 6): no subvolume is left that no output points to, and the next
// build makes its layers in the project's working volume again.
import { existsSync, realpathSync } from "node:fs";
import { join, relative } from "node:path";
import { expect, it } from "vitest";
import { copyProject, makeCopy, repoRoot } from "../buck2/harness.js";
import { describeBtrfs, subvolumesUnder } from "../helpers/volume.js";

describeBtrfs("strata local repro cleans its working volumes", () => {
  it("leaves no subvolume behind, and the next build works in the project's working volume", async () => {
    const root = copyProject("repro-");
    const local = makeCopy(root, process.execPath, [join(repoRoot, "bin", "strata.mjs"), "local"]);
    const r = await local.run(["repro", "//base:shell"]);
    expect(r.stderr).toMatch(/repro: 1 outputs bit-identical/);
    expect(r.exitCode).toBe(0);
    // the project is on the test volume, so strata-out is the store itself
    expect(existsSync(join(root, "strata-out", "repro"))).toBe(false);
    expect(subvolumesUnder(root)).toEqual([]);

    const b = await local.run(["build", "//base:shell", "--show-output"]);
    expect(b.stderr).not.toMatch(/dangling|error/);
    expect(b.exitCode).toBe(0);
    const out = join(root, String(b.stdout).trim().split(/\s+/)[1]!);
    expect(relative(root, realpathSync(out))).toMatch(/^strata-out\/layers\/[^/]+\/root$/);
    expect(subvolumesUnder(root)).toEqual([relative(root, realpathSync(out))]);
  }, 600_000);
});
