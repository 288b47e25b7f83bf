// group_add: analysis, then compile into a real directory, checking the tree it leaves.
import { describe, expect, it } from "vitest";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freshScratchDir } from "../helpers/volume.js";
import { featureModule, parseFeatures } from "../../src/features/registry.js";
import { L, apply, analysis, analyzeCtx, seedImage } from "./context.js";
import { factsOf } from "../depgraph/facts-fixture.js";

describe("group_add", () => {
  it("re-adding an identical group or user changes nothing; a different one is an error", async () => {
    const root = freshScratchDir();
    seedImage(root);
    writeFileSync(join(root, "etc/group"), "root:x:0:\nantlir:x:1000:antlir\n");
    writeFileSync(join(root, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\nantlir:x:1000:1000::/:/fakeshell\n");
    const ctx = await apply(root, "/", [
      { type: "group_add", groupname: "antlir", gid: 1000 },
      { type: "user_add", username: "antlir", primary_group: "antlir", home_dir: "/", shell: "/fakeshell" },
    ]);
    expect(ctx.touchedPaths).toEqual([]);
    expect(existsSync(join(root, "etc/shadow"))).toBe(false);
    await expect(apply(root, "/", [{ type: "group_add", groupname: "antlir", gid: 1001 }])).rejects.toMatchObject({ details: [{ kind: "conflict", message: expect.stringMatching(/^group "antlir" already exists/) }] });
    await expect(apply(root, "/", [{ type: "user_add", username: "antlir", primary_group: "antlir", home_dir: "/home" }])).rejects.toMatchObject({ details: [{ kind: "conflict", message: expect.stringMatching(/^user "antlir" already exists/) }] });
    // analysis marks an identical re-add so the depgraph accepts it against the parent's facts
    const parent = factsOf({ groups: ["antlir"] }); // gid 1000
    const same = parseFeatures([{ type: "group_add", label: L, groupname: "antlir", gid: 1000 }, { type: "group_add", label: L, groupname: "antlir", gid: 7 }], L);
    expect((await featureModule("group_add")!.analyze(same[0]!, analyzeCtx("/", parent))).provides).toEqual([{ kind: "group", name: "antlir", reAdd: true }]);
    expect((await featureModule("group_add")!.analyze(same[1]!, analyzeCtx("/", parent))).provides).toEqual([{ kind: "group", name: "antlir" }]);
  });

  it("refuses used ids", async () => {
    const root = freshScratchDir();
    seedImage(root);
    await expect(apply(root, "/", [{ type: "group_add", groupname: "x", gid: 0 }])).rejects.toMatchObject({ details: [{ kind: "conflict", message: 'gid 0 is already used by group "root"' }] });
    await expect(apply(root, "/", [{ type: "user_add", username: "u", primary_group: "nope", home_dir: "/" }])).rejects.toMatchObject({ details: [{ kind: "missing", message: expect.stringMatching(/^group "nope"/) }] });
  });
});
