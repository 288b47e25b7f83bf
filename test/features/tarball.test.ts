import { describe, expect, it } from "vitest";
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import tar from "tar-stream";
import { freshScratchDir } from "../helpers/volume.js";
import { featureModule, parseFeatures } from "../../src/features/registry.js";
import { analyzeCtx, compileCtx } from "./context.js";

const L = "//test:tar";

type Entry = { name: string; type?: "file" | "directory" | "symlink" | "link"; body?: string; mode?: number; linkname?: string; uid?: number; gid?: number };

async function makeTar(path: string, entries: Entry[]): Promise<void> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise((r) => pack.on("end", r));
  for (const e of entries) {
    const { body, ...header } = e;
    pack.entry({ mode: 0o644, ...header }, body ?? "");
  }
  pack.finalize();
  await done;
  writeFileSync(path, Buffer.concat(chunks));
}

function feature(src: string, into = "/opt", extra: object = {}) {
  return parseFeatures([{ type: "tarball", label: L, src, into_dir: into, ...extra }], L)[0]!;
}

describe("tarball", () => {
  const members: Entry[] = [
    { name: "./pkg/", type: "directory", mode: 0o750, uid: 5, gid: 6 },
    { name: "./pkg/bin/tool", body: "#!", mode: 0o755 },
    { name: "pkg/readme", body: "hello", uid: 1000, gid: 1000 },
    { name: "pkg/link", type: "symlink", linkname: "readme" },
    { name: "pkg/hard", type: "link", linkname: "pkg/readme" },
  ];

  for (const ext of ["tar", "tar.gz", "tgz", "tar.zst", "tar.xz"]) {
    it(`extracts a .${ext} with header modes and owners, epoch mtimes`, async () => {
      const project = freshScratchDir("proj-");
      await makeTar(join(project, "a.tar"), members);
      if (ext === "tar.gz" || ext === "tgz") execFileSync("sh", ["-c", `gzip -c a.tar > a.${ext}`], { cwd: project });
      if (ext === "tar.zst") execFileSync("zstd", ["-q", "a.tar", "-o", "a.tar.zst"], { cwd: project });
      if (ext === "tar.xz") execFileSync("sh", ["-c", "xz -c a.tar > a.tar.xz"], { cwd: project });
      const f = feature(`a.${ext}`);
      const mod = featureModule("tarball")!;
      const a = await mod.analyze(f, analyzeCtx(project));
      // into_dir is provided like a directory install: only its parent is required (antlir2)
      expect(a.requires).toEqual([{ key: "path:/", ordered: true, validator: { kind: "file-type", fileType: "directory" } }]);
      expect(a.provides).toEqual([
        { kind: "path", path: "/opt", fileType: "directory", mode: 0o755, owner: "root:root" },
        { kind: "path", path: "/opt/pkg", fileType: "directory", mode: 0o750, owner: "5:6" },
        { kind: "path", path: "/opt/pkg/bin", fileType: "directory", mode: 0o755, owner: "0:0" },
        { kind: "path", path: "/opt/pkg/bin/tool", fileType: "file", mode: 0o755, owner: "0:0" },
        { kind: "path", path: "/opt/pkg/readme", fileType: "file", mode: 0o644, owner: "1000:1000" },
        { kind: "symlink", path: "/opt/pkg/link", target: "readme" },
        { kind: "path", path: "/opt/pkg/hard", fileType: "file", mode: 0o644, owner: "0:0" },
      ]);
      const root = freshScratchDir();
      mkdirSync(join(root, "opt"));
      const ctx = compileCtx(root, project, { epoch: 42 });
      await mod.compile(f, ctx);
      const st = lstatSync(join(root, "opt/pkg/readme"));
      expect([st.mode & 0o7777, st.uid, st.gid, st.mtimeMs]).toEqual([0o644, 1000, 1000, 42_000]);
      expect(lstatSync(join(root, "opt/pkg")).mode & 0o7777).toBe(0o750);
      expect(lstatSync(join(root, "opt/pkg")).mtimeMs).toBe(42_000);
      expect(readFileSync(join(root, "opt/pkg/bin/tool"), "utf8")).toBe("#!");
      expect(readlinkSync(join(root, "opt/pkg/link"))).toBe("readme");
      expect(lstatSync(join(root, "opt/pkg/hard")).ino).toBe(st.ino);
      expect(ctx.touchedPaths).toContain("/opt/pkg/bin");
    });
  }

  it("creates a missing into_dir (only its parent must exist); force_root_ownership; strip_components like tar", async () => {
    const project = freshScratchDir("proj-");
    await makeTar(join(project, "a.tar"), [
      { name: "leading/second/", type: "directory", mode: 0o755 },
      { name: "leading/second/foo", body: "foo", uid: 1000, gid: 1000 },
      { name: "leading/second/hard", type: "link", linkname: "leading/second/foo" },
      { name: "top", body: "dropped" },
    ]);
    const mod = featureModule("tarball")!;
    const f = feature("a.tar", "/new/dir", { force_root_ownership: true, strip_components: 2 });
    const a = await mod.analyze(f, analyzeCtx(project));
    expect(a.requires).toEqual([{ key: "path:/new", ordered: true, validator: { kind: "file-type", fileType: "directory" } }]);
    expect(a.provides.map((i) => ("path" in i ? i.path : ""))).toEqual(["/new/dir", "/new/dir/foo", "/new/dir/hard"]);
    const root = freshScratchDir();
    mkdirSync(join(root, "new"));
    await mod.compile(f, compileCtx(root, project));
    expect(lstatSync(join(root, "new/dir")).mode & 0o7777).toBe(0o755);
    const st = lstatSync(join(root, "new/dir/foo"));
    expect([st.uid, st.gid]).toEqual([0, 0]);
    expect(lstatSync(join(root, "new/dir/hard")).ino).toBe(st.ino);
    expect(existsSync(join(root, "new/dir/top"))).toBe(false);
    expect(existsSync(join(root, "new/dir/leading"))).toBe(false);
  });

  it("refuses ../ members, and an absolute symlink member followed by a file under it", async () => {
    const project = freshScratchDir("proj-");
    await makeTar(join(project, "dotdot.tar"), [{ name: "../x", body: "evil" }]);
    await makeTar(join(project, "abslink.tar"), [
      { name: "etc", type: "symlink", linkname: "/etc" },
      { name: "etc/passwd", body: "evil" },
    ]);
    await makeTar(join(project, "rellink.tar"), [
      { name: "up", type: "symlink", linkname: "../.." },
      { name: "up/x", body: "evil" },
    ]);
    const mod = featureModule("tarball")!;
    await expect(mod.analyze(feature("dotdot.tar"), analyzeCtx(project))).rejects.toThrow(/"\.\.\/x" climbs out/);
    await expect(mod.analyze(feature("abslink.tar"), analyzeCtx(project))).rejects.toThrow(/"etc\/passwd" lies under a symlink that leads outside into_dir/);
    await expect(mod.analyze(feature("rellink.tar"), analyzeCtx(project))).rejects.toThrow(/"up\/x" lies under a symlink/);
    const root = freshScratchDir();
    mkdirSync(join(root, "opt"));
    mkdirSync(join(root, "etc"));
    await expect(mod.compile(feature("abslink.tar"), compileCtx(root, project))).rejects.toMatchObject({ details: [{ kind: "schema", message: expect.stringMatching(/^unsafe archive/) }] });
    expect(existsSync(join(root, "etc/passwd"))).toBe(false);
    expect(existsSync(join(root, "opt/etc"))).toBe(false);
  });

  it("absolute member names are taken relative to into_dir", async () => {
    const project = freshScratchDir("proj-");
    await makeTar(join(project, "abs.tar"), [{ name: "/etc/app.conf", body: "c" }]);
    const root = freshScratchDir();
    mkdirSync(join(root, "opt"));
    await featureModule("tarball")!.compile(feature("abs.tar"), compileCtx(root, project));
    expect(readFileSync(join(root, "opt/etc/app.conf"), "utf8")).toBe("c");
    expect(existsSync(join(root, "etc"))).toBe(false);
  });

  it("a symlink already in the image under into_dir cannot carry a member outside", async () => {
    const project = freshScratchDir("proj-");
    await makeTar(join(project, "t.tar"), [{ name: "sub/file", body: "x" }]);
    const root = freshScratchDir();
    mkdirSync(join(root, "opt"));
    mkdirSync(join(root, "etc"));
    execFileSync("ln", ["-s", "/etc", join(root, "opt/sub")]);
    await expect(featureModule("tarball")!.compile(feature("t.tar"), compileCtx(root, project))).rejects.toThrow(/outside \/opt/);
    expect(existsSync(join(root, "etc/file"))).toBe(false);
  });
});
