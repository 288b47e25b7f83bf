// clone: copies from another layer, owners remapped by name: analysis, then compile into a real directory, checking the tree it leaves.
import { describe, expect, it } from "vitest";
import { lchownSync, realpathSync, chmodSync, lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freshScratchDir } from "../helpers/volume.js";
import { parseFeatures } from "../../src/features/registry.js";
import { L, apply, analysis, mode, seedImage } from "./context.js";
import { factsOf } from "../depgraph/facts-fixture.js";

describe("clone", () => {
  function sourceLayer() {
    const sub = freshScratchDir("src-layer-");
    mkdirSync(join(sub, "opt/app/lib"), { recursive: true });
    writeFileSync(join(sub, "opt/app/lib/a.so"), "so");
    chmodSync(join(sub, "opt/app/lib/a.so"), 0o755);
    symlinkSync("lib/a.so", join(sub, "opt/app/current"));
    const out = join(freshScratchDir("out-"), "layer");
    symlinkSync(sub, out);
    const facts = factsOf({
      paths: [
        { path: "/opt", type: "directory" },
        { path: "/opt/app", type: "directory" },
        { path: "/opt/app/current", type: "symlink", target: "lib/a.so" },
        { path: "/opt/app/lib", type: "directory" },
        { path: "/opt/app/lib/a.so", type: "file", mode: 0o755, uid: 0, gid: 0 },
      ],
    });
    return { out, facts };
  }

  it("copies a tree with modes and symlinks; a trailing slash copies the contents", async () => {
    const { out, facts } = sourceLayer();
    const a = await analysis({ type: "clone", src_layer: out, src_path: "/opt/app", dst_path: "/srv/app" }, "/", { [out]: facts });
    expect(a.provides.map((i) => ("path" in i ? i.path : ""))).toEqual(["/srv/app", "/srv/app/current", "/srv/app/lib", "/srv/app/lib/a.so"]);
    expect(a.requires).toEqual([{ key: "path:/srv", ordered: true, validator: { kind: "file-type", fileType: "directory" } }]);
    const c = await analysis({ type: "clone", src_layer: out, src_path: "/opt/app/", dst_path: "/srv/" }, "/", { [out]: facts });
    expect(c.provides.map((i) => ("path" in i ? i.path : ""))).toEqual(["/srv/current", "/srv/lib", "/srv/lib/a.so"]);

    const root = freshScratchDir();
    mkdirSync(join(root, "srv"));
    await apply(root, "/", [{ type: "clone", src_layer: out, src_path: "/opt/app", dst_path: "/srv/app" }], { layers: { [out]: facts } });
    expect(readlinkSync(join(root, "srv/app/current"))).toBe("lib/a.so");
    expect(mode(join(root, "srv/app/lib/a.so"))).toBe(0o755);
    const root2 = freshScratchDir();
    mkdirSync(join(root2, "srv"));
    await apply(root2, "/", [{ type: "clone", src_layer: out, src_path: "/opt/app/", dst_path: "/srv/" }], { layers: { [out]: facts } });
    expect(readFileSync(join(root2, "srv/lib/a.so"), "utf8")).toBe("so");
  });

  it("antlir2's path checks: src_path/ needs dst_path/; path is both ends; user and group come together", () => {
    expect(() => parseFeatures([{ type: "clone", label: L, src_layer: "x", src_path: "/a/", dst_path: "/b" }], L)).toThrow(/dst_path must end in "\/"/);
    expect(() => parseFeatures([{ type: "clone", label: L, src_layer: "x", path: "/a", src_path: "/a", dst_path: "/b" }], L)).toThrow(/either path, or both src_path and dst_path/);
    expect(() => parseFeatures([{ type: "clone", label: L, src_layer: "x", path: "/a", user: "u" }], L)).toThrow(/both user and group/);
  });

  it("remaps owners by name into this image (an unknown name is required, so missing is an error); user/group override", async () => {
    const { out } = sourceLayer();
    const src = realpathSync(out);
    lchownSync(join(src, "opt/app/lib/a.so"), 1000, 1000);
    const facts = factsOf({
      paths: [{ path: "/opt/app/lib/a.so", type: "file", mode: 0o755, uid: 1000, gid: 1000 }],
      users: ["app"],
      groups: ["app"],
    });
    const a = await analysis({ type: "clone", src_layer: out, path: "/opt/app/lib/a.so" }, "/", { [out]: facts });
    expect(a.provides).toEqual([{ kind: "path", path: "/opt/app/lib/a.so", fileType: "file", mode: 0o755, owner: "app:app" }]);
    expect(a.requires.slice(1)).toEqual([
      { key: "user:app", ordered: true, validator: { kind: "exists" } },
      { key: "group:app", ordered: true, validator: { kind: "exists" } },
    ]);
    const root = freshScratchDir();
    seedImage(root);
    writeFileSync(join(root, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\napp:x:2000:2001::/:/bin/sh\n");
    writeFileSync(join(root, "etc/group"), "root:x:0:\napp:x:2001:\n");
    mkdirSync(join(root, "opt/app/lib"), { recursive: true });
    await apply(root, "/", [{ type: "clone", src_layer: out, path: "/opt/app/lib/a.so" }], { layers: { [out]: facts } });
    expect([lstatSync(join(root, "opt/app/lib/a.so")).uid, lstatSync(join(root, "opt/app/lib/a.so")).gid]).toEqual([2000, 2001]);
    await apply(root, "/", [{ type: "clone", src_layer: out, src_path: "/opt/app/lib/a.so", dst_path: "/opt/b.so", user: "root", group: "root" }], { layers: { [out]: facts } });
    expect(lstatSync(join(root, "opt/b.so")).uid).toBe(0);
    const bare = freshScratchDir();
    seedImage(bare);
    mkdirSync(join(bare, "opt"));
    await expect(apply(bare, "/", [{ type: "clone", src_layer: out, src_path: "/opt/app/lib/a.so", dst_path: "/opt/a.so" }], { layers: { [out]: facts } })).rejects.toMatchObject({ details: [{ kind: "missing", message: expect.stringMatching(/^user "app" \(owner in the source layer\)/) }] });
  });

  it("fails at analysis when src_path is missing in the source layer", async () => {
    const { out, facts } = sourceLayer();
    await expect(analysis({ type: "clone", src_layer: out, src_path: "/nope", dst_path: "/x" }, "/", { [out]: facts })).rejects.toMatchObject({ details: [{ kind: "missing", message: expect.stringMatching(/^"\/nope" does not exist in the source layer/) }] });
  });
});
