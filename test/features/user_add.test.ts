// user_add (with the group_add and usermod features an image has alongside): analysis, then compile into a real directory, checking the tree it leaves.
import { describe, expect, it } from "vitest";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freshScratchDir } from "../helpers/volume.js";
import { featureModule, parseFeatures } from "../../src/features/registry.js";
import { L, apply, analysis, mode, analyzeCtx, seedImage } from "./context.js";

describe("user_add", () => {
  it("edits the image's files, allocating the lowest free ids from 1000 in feature order", async () => {
    const root = freshScratchDir();
    seedImage(root);
    writeFileSync(join(root, "etc/group"), "root:x:0:\nold:x:1000:\n");
    writeFileSync(join(root, "etc/shadow"), "root:*:::::::\n");
    chmodSync(join(root, "etc/shadow"), 0o640);
    const ctx = await apply(root, "/", [
      { type: "group_add", groupname: "app" },
      { type: "group_add", groupname: "fixed", gid: 2000 },
      { type: "group_add", groupname: "wheel" },
      { type: "user_add", username: "app", primary_group: "app", home_dir: "/home/app", shell: "/bin/sh", supplementary_groups: ["wheel"], comment: "App user" },
      { type: "user_add", username: "svc", primary_group: "fixed", home_dir: "/", uid: 1500 },
      { type: "user_add", username: "other", primary_group: "app", home_dir: "/" },
      { type: "usermod", username: "other", add_supplementary_groups: ["wheel", "fixed"] },
    ]);
    // each user also joins its primary group's member list (antlir2)
    expect(readFileSync(join(root, "etc/group"), "utf8")).toBe("root:x:0:\nold:x:1000:\napp:x:1001:app,other\nfixed:x:2000:svc,other\nwheel:x:1002:app,other\n");
    expect(readFileSync(join(root, "etc/passwd"), "utf8")).toBe(
      "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1001:App user:/home/app:/bin/sh\nsvc:x:1500:2000::/:/sbin/nologin\nother:x:1001:1001::/:/sbin/nologin\n",
    );
    expect(readFileSync(join(root, "etc/shadow"), "utf8")).toBe("root:*:::::::\napp:!!:::::::\nsvc:!!:::::::\nother:!!:::::::\n");
    expect(mode(join(root, "etc/shadow"))).toBe(0o640);
    expect(existsSync(join(root, "etc/gshadow"))).toBe(false);
    expect(new Set(ctx.touchedPaths)).toEqual(new Set(["/etc/group", "/etc/passwd", "/etc/shadow"]));
  });

  it("creates /etc/shadow as antlir2 does when the image has none: mode 0o000, * for existing users", async () => {
    const root = freshScratchDir();
    seedImage(root);
    writeFileSync(join(root, "etc/group"), "root:x:0:\nantlir:x:1000:\n");
    await apply(root, "/", [{ type: "user_add", username: "antlir", primary_group: "antlir", home_dir: "/", shell: "/fakeshell" }]);
    expect(readFileSync(join(root, "etc/passwd"), "utf8")).toBe("root:x:0:0:root:/root:/bin/sh\nantlir:x:1000:1000::/:/fakeshell\n");
    expect(readFileSync(join(root, "etc/shadow"), "utf8")).toBe("root:*:::::::\nantlir:!!:::::::\n");
    expect(mode(join(root, "etc/shadow"))).toBe(0o000);
    expect(readFileSync(join(root, "etc/group"), "utf8")).toBe("root:x:0:\nantlir:x:1000:antlir\n");
  });

  it("add_primary_group_member=False leaves the primary group's member list alone", async () => {
    const root = freshScratchDir();
    seedImage(root);
    writeFileSync(join(root, "etc/group"), "root:x:0:\nantlir:x:1000:\n");
    await apply(root, "/", [{ type: "user_add", username: "antlir", primary_group: "antlir", home_dir: "/", add_primary_group_member: false }]);
    expect(readFileSync(join(root, "etc/group"), "utf8")).toBe("root:x:0:\nantlir:x:1000:\n");
  });

  it("uidmap: ids come from a checked-in name-to-id map; a name missing from it, or uid with uidmap, is an error", async () => {
    const project = freshScratchDir("proj-");
    writeFileSync(join(project, "ids.json"), JSON.stringify({ users: { svc: 4242 }, groups: { svc: 4343 } }));
    const root = freshScratchDir();
    seedImage(root);
    await apply(root, project, [
      { type: "group_add", groupname: "svc", uidmap: "ids.json" },
      { type: "user_add", username: "svc", primary_group: "svc", home_dir: "/", uidmap: "ids.json" },
    ]);
    expect(readFileSync(join(root, "etc/group"), "utf8")).toBe("root:x:0:\nsvc:x:4343:svc\n");
    expect(readFileSync(join(root, "etc/passwd"), "utf8")).toContain("svc:x:4242:4343::/:/sbin/nologin\n");
    const ctx = analyzeCtx(project);
    const [missing] = parseFeatures([{ type: "group_add", label: L, groupname: "nobody", uidmap: "ids.json" }], L);
    expect(() => featureModule("group_add")!.analyze(missing!, ctx)).toThrow(/group "nobody" is not in the uidmap "ids.json"/);
    const [both] = parseFeatures([{ type: "user_add", label: L, username: "svc", primary_group: "svc", home_dir: "/", uid: 1, uidmap: "ids.json" }], L);
    expect(() => featureModule("user_add")!.analyze(both!, ctx)).toThrow(/give either uid or uidmap, not both/);
  });

  it("user_add requirements follow antlir2: unordered home and shell, ordered files and groups", async () => {
    const a = await analysis({ type: "user_add", username: "u", primary_group: "g", home_dir: "/home/u", supplementary_groups: ["g", "h"] });
    expect(a.requires).toEqual([
      { key: "path:/home/u", ordered: false, validator: { kind: "file-type", fileType: "directory" } },
      { key: "path:/sbin/nologin", ordered: false, validator: { kind: "executable" } },
      { key: "path:/etc/passwd", ordered: true, validator: { kind: "exists" } },
      { key: "path:/etc/group", ordered: true, validator: { kind: "exists" } },
      { key: "group:g", ordered: true, validator: { kind: "exists" } },
      { key: "group:h", ordered: true, validator: { kind: "exists" } },
    ]);
    expect(a.provides).toEqual([{ kind: "user", name: "u" }]);
  });
});
