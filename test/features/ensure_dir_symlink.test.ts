// ensure_dir_symlink: analysis, then compile into a real directory, checking the tree it leaves.
import { describe, expect, it } from "vitest";
import { analysis } from "./context.js";

describe("ensure_dir_symlink", () => {
  it("a target that climbs out of the image is an analysis error", async () => {
    await expect(analysis({ type: "ensure_dir_symlink", link: "/a", target: "../../etc" })).rejects.toThrow(/outside the image/);
  });
});
