import { describe, expect, it } from "vitest";
import { lutimesSync, existsSync, mkdirSync, readFileSync, symlinkSync, lstatSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freshScratchDir } from "../helpers/volume.js";
import { normalizeImagePath, symlinkDestination } from "../../src/image/path.js";
import { resolveInImage, resolveParentInImage } from "../../src/image/resolve.js";
import { mkdirsIn, removeIn, symlinkIn, writeFileIn } from "../../src/image/fsops.js";

const meta = { mode: 0o644, uid: 0, gid: 0, epoch: 0 };

describe("image paths", () => {
  it("normalises slashes and dots, refuses .. and relative paths", () => {
    expect(normalizeImagePath("//etc//./app/")).toBe("/etc/app");
    expect(normalizeImagePath("/")).toBe("/");
    expect(() => normalizeImagePath("/etc/../x")).toThrow(/\.\./);
    expect(() => normalizeImagePath("etc/x")).toThrow(/absolute/);
  });

  it("symlink destinations: absolute targets are image-relative, climbing above / is null", () => {
    expect(symlinkDestination("/usr/lib64", "lib")).toBe("/usr/lib");
    expect(symlinkDestination("/lib", "/usr/lib")).toBe("/usr/lib");
    expect(symlinkDestination("/a/b", "../../..")).toBeNull();
  });
});

describe("resolution inside the image root", () => {
  it("an absolute symlink in the image resolves under the root, and writes through it stay in the image", () => {
    const host = freshScratchDir("host-");
    const root = freshScratchDir("img-");
    mkdirSync(join(root, "etc"));
    // /etc/conf.d -> <host dir> as an absolute link: on the host it would escape, in the image it must not.
    symlinkSync(host, join(root, "etc/conf.d"));
    // The link's target does not exist in the image yet: refused, and the host dir is left alone.
    expect(() => writeFileIn(root, "/etc/conf.d/x", "data", meta)).toThrow(/not a directory in the image/);
    expect(existsSync(join(host, "x"))).toBe(false);
    mkdirSync(join(root, host), { recursive: true });
    const r = writeFileIn(root, "/etc/conf.d/x", "data", meta);
    expect(r.imagePath.startsWith(host)).toBe(true); // the same text, but under the root
    expect(r.hostPath).toBe(join(root, host, "x"));
    expect(existsSync(join(host, "x"))).toBe(false);
    expect(readFileSync(join(root, host, "x"), "utf8")).toBe("data");
  });

  it("refuses a relative symlink that climbs above the root", () => {
    const root = freshScratchDir("img-");
    symlinkSync("../../../../tmp", join(root, "up"));
    expect(() => resolveInImage(root, "/up/x")).toThrow(/outside the image/);
    expect(() => writeFileIn(root, "/up/x", "data", meta)).toThrow(/outside the image/);
  });

  it("follows chains of links component by component", () => {
    const root = freshScratchDir("img-");
    mkdirSync(join(root, "usr/lib"), { recursive: true });
    symlinkSync("usr/lib", join(root, "lib"));
    symlinkSync("/lib", join(root, "lib64"));
    expect(resolveInImage(root, "/lib64/x").imagePath).toBe("/usr/lib/x");
    expect(resolveParentInImage(root, "/lib64").imagePath).toBe("/lib64");
  });

  it("resolving through a link leaves the link's atime alone", () => {
    const root = freshScratchDir("img-");
    mkdirSync(join(root, "usr/lib"), { recursive: true });
    symlinkSync("usr/lib", join(root, "lib"));
    lutimesSync(join(root, "lib"), 7, 7);
    expect(resolveInImage(root, "/lib/x").imagePath).toBe("/usr/lib/x");
    expect(lstatSync(join(root, "lib")).atimeMs).toBe(7000);
  });

  it("detects symlink loops", () => {
    const root = freshScratchDir("img-");
    symlinkSync("/b", join(root, "a"));
    symlinkSync("/a", join(root, "b"));
    expect(() => resolveInImage(root, "/a/x")).toThrow(/too many levels/);
  });

  it("replaces a symlink at the final component instead of writing through it", () => {
    const root = freshScratchDir("img-");
    const host = freshScratchDir("host-");
    writeFileSync(join(host, "secret"), "keep");
    symlinkSync(join(host, "secret"), join(root, "f"));
    writeFileIn(root, "/f", "new", meta);
    expect(readFileSync(join(host, "secret"), "utf8")).toBe("keep");
    expect(lstatSync(join(root, "f")).isFile()).toBe(true);
  });

  it("mkdirs, symlinks and removes inside the root", () => {
    const root = freshScratchDir("img-");
    expect(mkdirsIn(root, "/a/b/c", { ...meta, mode: 0o755 })).toEqual(["/a", "/a/b", "/a/b/c"]);
    expect(mkdirsIn(root, "/a/b/c", { ...meta, mode: 0o755 })).toEqual([]);
    symlinkIn(root, "/a/l", "/nowhere", meta);
    expect(readlinkSync(join(root, "a/l"))).toBe("/nowhere");
    expect(removeIn(root, "/a/b", 0)?.imagePath).toBe("/a/b");
    expect(existsSync(join(root, "a/b"))).toBe(false);
    expect(removeIn(root, "/a/b", 0)).toBeNull();
    expect(() => removeIn(root, "/", 0)).toThrow(/root/);
  });
});
