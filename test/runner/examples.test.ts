// The example image builds, and the facts the runner derived from what features reported equal a full walk.
import { expect, it } from "vitest";
import { readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { walkTree } from "../../src/facts/derive.js";
import type { PathFact } from "../../src/types.js";
import { describeBtrfs, freshBtrfsDir, freshScratchDir } from "../helpers/volume.js";
import { repoRoot, strata } from "./helpers.js";

describeBtrfs("example image", () => {
  it("builds base then app, with facts equal to a walk of the tree", async () => {
    const wv = freshBtrfsDir();
    const work = freshScratchDir();
    const build = (name: string, parent?: string) =>
      strata(
        ["compile", "--label", `//examples:${name}`, "--phase", "compile", "--features", `examples/features/${name}.json`, "--out", join(work, name), "--working-volume", wv, "--facts-out", join(work, `${name}.json`), ...(parent !== undefined ? ["--parent", parent] : [])],
        { cwd: repoRoot },
      );
    const b = await build("base");
    expect(b.stderr).toBe("");
    const a = await build("app", join(work, "base"));
    expect(a.stderr).toBe("");
    for (const name of ["base", "app"]) {
      const facts = JSON.parse(readFileSync(join(work, `${name}.json`), "utf8")) as { paths: PathFact[]; users: { name: string; groups: string[] }[] };
      const strip = (f: PathFact): PathFact => ({ ...f, origin: undefined });
      expect(facts.paths.map(strip)).toEqual(walkTree(realpathSync(join(work, name))).map(strip));
      expect(facts.paths.every((f) => typeof f.origin === "string")).toBe(true);
    }
    const app = JSON.parse(readFileSync(join(work, "app.json"), "utf8")) as { users: { name: string; groups: string[] }[]; paths: PathFact[] };
    expect(app.users.map((u) => `${u.name}:${u.groups.join(",")}`)).toEqual(["root:", "app:app", "ops:app,ops"]); // users join their primary group (antlir2)
    expect(app.paths.find((p) => p.path === "/opt/vendor/bin/hello")?.origin).toBe("//examples:app: tarball");
    expect(readFileSync(join(work, "app", "etc/hostname"), "utf8")).toBe("strata-example\n");
  });
});
