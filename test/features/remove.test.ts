// remove: analysis, then compile into a real directory, checking the tree it leaves.
import { describe, expect, it } from "vitest";
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freshScratchDir } from "../helpers/volume.js";
import { apply, analysis } from "./context.js";

describe("remove", () => {
  it("removes a tree, a symlink itself, and is a no-op when absent and must_exist=false", async () => {
    const root = freshScratchDir();
    mkdirSync(join(root, "var/cache/x"), { recursive: true });
    const host = freshScratchDir("host-");
    writeFileSync(join(host, "keep"), "k");
    symlinkSync(host, join(root, "link"));
    const ctx = await apply(root, "/", [
      { type: "remove", path: "/var/cache" },
      { type: "remove", path: "/link" },
      { type: "remove", path: "/absent", must_exist: false },
    ]);
    expect(ctx.removedPaths).toEqual(["/var/cache", "/link"]);
    expect(existsSync(join(root, "var/cache"))).toBe(false);
    expect(existsSync(join(host, "keep"))).toBe(true);
    await expect(apply(root, "/", [{ type: "remove", path: "/absent" }])).rejects.toMatchObject({ details: [{ kind: "missing", message: '"/absent" does not exist' }] });
  });

  it("analysis requires the path only when must_exist", async () => {
    expect((await analysis({ type: "remove", path: "/x" })).requires).toEqual([{ key: "path:/x", ordered: true, validator: { kind: "exists" } }]);
    expect((await analysis({ type: "remove", path: "/x", must_exist: false })).requires).toEqual([]);
  });
});
