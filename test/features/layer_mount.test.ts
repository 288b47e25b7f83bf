// layer_mount: analysis, then compile into a real directory, checking the tree it leaves.
import { describe, expect, it } from "vitest";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { freshScratchDir } from "../helpers/volume.js";
import { apply, analysis, mode } from "./context.js";

describe("layer_mount", () => {
  it("creates an empty 0o555 mountpoint and provides a mount item", async () => {
    const a = await analysis({ type: "layer_mount", source: "/out/base", mountpoint: "/mnt/base" });
    expect(a.provides).toEqual([{ kind: "mount", path: "/mnt/base", source: "/out/base" }]);
    const root = freshScratchDir();
    mkdirSync(join(root, "mnt"));
    await apply(root, "/", [{ type: "layer_mount", source: "/out/base", mountpoint: "/mnt/base" }]);
    expect(mode(join(root, "mnt/base"))).toBe(0o555);
  });
});
