// ensure_subdirs_exist: directories below into_dir: analysis, then compile into a real directory, checking the tree it leaves.
import { describe, expect, it } from "vitest";
import { lstatSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { freshScratchDir } from "../helpers/volume.js";
import { apply, analysis } from "./context.js";

describe("ensure_subdirs_exist", () => {
  it("subdirs require into_dir and create the components below it", async () => {
    const a = await analysis({ type: "ensure_subdirs_exist", into_dir: "/var", subdirs_to_create: "lib/app" });
    expect(a.requires[0]).toEqual({ key: "path:/var", ordered: true, validator: { kind: "file-type", fileType: "directory" } });
    expect(a.provides.map((i) => (i.kind === "path" ? i.path : ""))).toEqual(["/var/lib", "/var/lib/app"]);
    const root = freshScratchDir();
    mkdirSync(join(root, "var"));
    await apply(root, "/", [{ type: "ensure_subdirs_exist", into_dir: "/var", subdirs_to_create: "lib/app" }]);
    expect(lstatSync(join(root, "var/lib/app")).isDirectory()).toBe(true);
  });
});
