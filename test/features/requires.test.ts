// requires: analysis, then compile into a real directory, checking the tree it leaves.
import { describe, expect, it } from "vitest";
import { analysis } from "./context.js";

describe("requires", () => {
  it("only asserts", async () => {
    const a = await analysis({ type: "requires", files: ["/etc/passwd"], users: ["app"], groups: ["wheel"] });
    expect(a.provides).toEqual([]);
    expect(a.requires.map((r) => r.key)).toEqual(["path:/etc/passwd", "user:app", "group:wheel"]);
  });
});
