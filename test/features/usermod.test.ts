// usermod: adds an existing user to more groups (its use alongside user_add is in user_add.test.ts).
import { describe, expect, it } from "vitest";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freshScratchDir } from "../helpers/volume.js";
import { StrataError } from "../../src/errors.js";
import { analysis, apply, seedImage } from "./context.js";

describe("usermod", () => {
  it("requires the user and the groups, and appends the user to each group's member list", async () => {
    const a = await analysis({ type: "usermod", username: "app", add_supplementary_groups: ["wheel", "adm"] });
    expect(a.requires.map((r) => r.key)).toEqual(["user:app", "group:wheel", "group:adm"]);
    expect(a.provides).toEqual([]);
    const root = freshScratchDir();
    seedImage(root);
    writeFileSync(join(root, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/:/bin/sh\n");
    writeFileSync(join(root, "etc/group"), "root:x:0:\nwheel:x:10:root\nadm:x:4:\n");
    await apply(root, "/", [{ type: "usermod", username: "app", add_supplementary_groups: ["wheel", "adm"] }]);
    expect(readFileSync(join(root, "etc/group"), "utf8")).toBe("root:x:0:\nwheel:x:10:root,app\nadm:x:4:app\n");
  });

  it("a user missing from the image's /etc/passwd is an error of kind missing", async () => {
    const root = freshScratchDir();
    seedImage(root);
    const e = await apply(root, "/", [{ type: "usermod", username: "ghost", add_supplementary_groups: ["root"] }]).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StrataError);
    expect((e as StrataError).details).toMatchObject([{ kind: "missing", feature: 'usermod(username="ghost", add_supplementary_groups=["root"])' }]);
  });
});
