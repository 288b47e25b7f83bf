// ensure_file_symlink (with ensure_dir_symlink's requirement alongside): analysis, then compile into a real directory, checking the tree it leaves.
import { describe, expect, it } from "vitest";
import { lstatSync, mkdirSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { freshScratchDir } from "../helpers/volume.js";
import { apply, analysis } from "./context.js";

describe("ensure_file_symlink", () => {
  it("requires the target with the right type (relative to the link's directory) and writes the raw text", async () => {
    const a = await analysis({ type: "ensure_file_symlink", link: "/usr/bin/python", target: "python3" });
    expect(a.requires).toContainEqual({ key: "path:/usr/bin/python3", ordered: true, validator: { kind: "file-type", fileType: "file" } });
    const d = await analysis({ type: "ensure_dir_symlink", link: "/lib", target: "/usr/lib" });
    expect(d.requires).toContainEqual({ key: "path:/usr/lib", ordered: true, validator: { kind: "file-type", fileType: "directory" } });
    const root = freshScratchDir();
    mkdirSync(join(root, "usr/bin"), { recursive: true });
    await apply(root, "/", [{ type: "ensure_file_symlink", link: "/usr/bin/python", target: "python3" }], { epoch: 99 });
    expect(readlinkSync(join(root, "usr/bin/python"))).toBe("python3");
    expect(lstatSync(join(root, "usr/bin/python")).mtimeMs).toBe(99_000);
  });
});
