// hardlink: analysis, then compile into a real directory, checking the tree it leaves.
import { describe, expect, it } from "vitest";
import { lstatSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freshScratchDir } from "../helpers/volume.js";
import { apply, analysis } from "./context.js";

describe("hardlink", () => {
  it("links a second name to a file (same inode), requiring the target file and the link's parent", async () => {
    const a = await analysis({ type: "hardlink", link: "/aloha.txt", target: "/hello.txt" });
    expect(a.requires).toEqual([
      { key: "path:/", ordered: true, validator: { kind: "file-type", fileType: "directory" } },
      { key: "path:/hello.txt", ordered: true, validator: { kind: "file-type", fileType: "file" } },
    ]);
    const root = freshScratchDir();
    const ctx = await apply(root, "/", [
      { type: "install_text", dst: "/hello.txt", text: "Hello world\n" },
      { type: "hardlink", link: "/aloha.txt", target: "/hello.txt" },
    ]);
    expect(lstatSync(join(root, "aloha.txt")).ino).toBe(lstatSync(join(root, "hello.txt")).ino);
    expect(readFileSync(join(root, "aloha.txt"), "utf8")).toBe("Hello world\n");
    expect(ctx.touchedPaths).toContain("/aloha.txt");
  });

  it("refuses a target that is not a regular file, and an existing link path", async () => {
    const root = freshScratchDir();
    mkdirSync(join(root, "d"));
    writeFileSync(join(root, "f"), "f");
    await expect(apply(root, "/", [{ type: "hardlink", link: "/l", target: "/d" }])).rejects.toMatchObject({ details: [{ kind: "unsatisfied", message: expect.stringMatching(/^the target "\/d"/) }] });
    await expect(apply(root, "/", [{ type: "hardlink", link: "/d", target: "/f" }])).rejects.toMatchObject({ details: [{ kind: "conflict", message: '"/d" already exists' }] });
  });
});
