// ensure_dirs_exist: creates missing directory components: analysis, then compile into a real directory, checking the tree it leaves.
import { describe, expect, it } from "vitest";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { freshScratchDir } from "../helpers/volume.js";
import { apply, analysis, mode } from "./context.js";

describe("ensure_dirs_exist / ensure_subdirs_exist", () => {
  it("creates only missing components and provides one item per component", async () => {
    const root = freshScratchDir();
    mkdirSync(join(root, "usr"), { mode: 0o700 });
    const a = await analysis({ type: "ensure_dirs_exist", dirs: "/usr/share/app", mode: "u=rwx,go=rx" });
    expect(a.provides.map((i) => (i.kind === "path" ? [i.path, i.mode] : []))).toEqual([["/usr", 0o755], ["/usr/share", 0o755], ["/usr/share/app", 0o755]]);
    const ctx = await apply(root, "/", [{ type: "ensure_dirs_exist", dirs: "/usr/share/app", mode: 0o750 }]);
    expect(ctx.touchedPaths).toEqual(["/usr/share", "/usr/share/app"]);
    expect(mode(join(root, "usr"))).toBe(0o700); // existing dirs are left alone
    expect(mode(join(root, "usr/share/app"))).toBe(0o750);
  });
});
