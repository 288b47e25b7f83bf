// xattrs of install, install_text and ensure_subdirs_exist (the xattrs attribute, src/features/xattrs.ts): analysis, then compile into a real directory, checking the tree it leaves.
import { describe, expect, it } from "vitest";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freshScratchDir } from "../helpers/volume.js";
import { parseFeatures } from "../../src/features/registry.js";
import { L, apply, analysis } from "./context.js";
import { decodeXattrValue, readXattrs, xattrsText } from "../../src/features/xattrs.js";

describe("xattrs (install, install_text, ensure_subdirs_exist)", () => {
  const XATTRS = { "user.bar": "0x626172", "user.baz": "0sYmF6", "user.foo": "foo" };
  const decoded = { "user.bar": Buffer.from("bar"), "user.baz": Buffer.from("baz"), "user.foo": Buffer.from("foo") };

  it("decodes plain, 0x hex and 0s base64 values as antlir2 does; bad encodings are schema errors", () => {
    expect(decodeXattrValue("foo")).toEqual(Buffer.from("foo"));
    expect(decodeXattrValue("0x626172")).toEqual(Buffer.from("bar"));
    expect(decodeXattrValue("0sYmF6")).toEqual(Buffer.from("baz"));
    expect(decodeXattrValue("0x6")).toBeNull();
    expect(() => parseFeatures([{ type: "install_text", label: L, text: "", dst: "/a", xattrs: { "user.a": "0xzz" } }], L)).toThrow(/xattrs/);
    expect(() => parseFeatures([{ type: "install_text", label: L, text: "", dst: "/a", xattrs: { foo: "x" } }], L)).toThrow(/user\., trusted\. or security\./);
  });

  it("sets them on an installed file, a directory install's top, an install_text file and created subdirs", async () => {
    const project = freshScratchDir("proj-");
    writeFileSync(join(project, "hello.txt"), "Hello world!\n");
    mkdirSync(join(project, "dir/foo"), { recursive: true });
    writeFileSync(join(project, "dir/foo/bar"), "I am bar\n");
    const root = freshScratchDir();
    mkdirSync(join(root, "var"));
    await apply(root, project, [
      { type: "install", src: "hello.txt", dst: "/hello", xattrs: XATTRS },
      { type: "install", src: "dir", dst: "/installed-dir/", xattrs: XATTRS },
      { type: "install_text", text: "t", dst: "/text", xattrs: { "user.foo": "foo" } },
      { type: "ensure_subdirs_exist", into_dir: "/var", subdirs_to_create: "a/b", xattrs: { "user.x": "0x00ff" } },
    ]);
    expect(readXattrs(join(root, "hello"))).toEqual(decoded);
    expect(readXattrs(join(root, "installed-dir"))).toEqual(decoded);
    expect(readXattrs(join(root, "installed-dir/foo"))).toEqual({});
    expect(readXattrs(join(root, "text"))).toEqual({ "user.foo": Buffer.from("foo") });
    expect(readXattrs(join(root, "var/a"))).toEqual({ "user.x": Buffer.from([0, 255]) });
    expect(readXattrs(join(root, "var/a/b"))).toEqual({ "user.x": Buffer.from([0, 255]) });
    expect(readXattrs(join(root, "var"))).toEqual({});
  });

  it("are part of the provided item: the same bytes in two spellings agree, different bytes conflict", async () => {
    const a = await analysis({ type: "ensure_subdirs_exist", into_dir: "/var", subdirs_to_create: "d", xattrs: { "user.x": "bar" } });
    const b = await analysis({ type: "ensure_subdirs_exist", into_dir: "/var", subdirs_to_create: "d", xattrs: { "user.x": "0x626172" } });
    const c = await analysis({ type: "ensure_subdirs_exist", into_dir: "/var", subdirs_to_create: "d", xattrs: { "user.x": "baz" } });
    expect(a.provides).toEqual(b.provides);
    expect(a.provides).not.toEqual(c.provides);
    expect(xattrsText({ "user.b": "0sYmF6", "user.a": "bar" })).toBe("user.a=0x626172,user.b=0x62617a");
  });
});
