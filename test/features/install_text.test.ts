// install_text: writes a file with text, mode and owner: analysis, then compile into a real directory, checking the tree it leaves.
import { describe, expect, it } from "vitest";
import { utimesSync, existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freshScratchDir } from "../helpers/volume.js";
import { parseFeatures } from "../../src/features/registry.js";
import { L, apply, analysis, mode, seedImage } from "./context.js";

describe("install_text", () => {
  it("writes the text with the default mode, owner root and epoch times", async () => {
    const root = freshScratchDir();
    mkdirSync(join(root, "etc"));
    const ctx = await apply(root, "/", [{ type: "install_text", text: "hi\n", dst: "/etc/motd" }], { epoch: 1234 });
    const st = lstatSync(join(root, "etc/motd"));
    expect(readFileSync(join(root, "etc/motd"), "utf8")).toBe("hi\n");
    expect(st.mode & 0o7777).toBe(0o444);
    expect([st.uid, st.gid, st.mtimeMs / 1000, st.atimeMs / 1000]).toEqual([0, 0, 1234, 1234]);
    expect(ctx.touchedPaths).toEqual(["/etc/motd"]);
    expect(lstatSync(join(root, "etc")).mtimeMs).toBe(1234_000);
  });

  it("analysis: parent dir ordered, named owners required, file provided with the symbolic mode", async () => {
    const a = await analysis({ type: "install_text", text: "x", dst: "/etc//app.conf", mode: "u=rw,go=r", user: "app", group: 7 });
    expect(a.provides).toEqual([{ kind: "path", path: "/etc/app.conf", fileType: "file", mode: 0o644, owner: "app:7" }]);
    expect(a.requires).toEqual([
      { key: "path:/etc", ordered: true, validator: { kind: "file-type", fileType: "directory" } },
      { key: "user:app", ordered: true, validator: { kind: "exists" } },
    ]);
  });

  it("reading the image's /etc/passwd for owners leaves its atime alone", async () => {
    const root = freshScratchDir();
    seedImage(root);
    utimesSync(join(root, "etc/passwd"), 5, 5);
    await apply(root, "/", [{ type: "install_text", text: "x", dst: "/etc/a", user: "root", group: "root" }]);
    expect(lstatSync(join(root, "etc/passwd")).atimeMs).toBe(5000);
  });

  it("resolves a user name through the image's /etc/passwd at compile time", async () => {
    const root = freshScratchDir();
    seedImage(root);
    writeFileSync(join(root, "etc/passwd"), "root:x:0:0::/:/bin/sh\napp:x:1234:1234::/:/bin/sh\n");
    writeFileSync(join(root, "etc/group"), "root:x:0:\napp:x:1235:\n");
    await apply(root, "/", [{ type: "install_text", text: "x", dst: "/etc/a", user: "app", group: "app" }]);
    expect([lstatSync(join(root, "etc/a")).uid, lstatSync(join(root, "etc/a")).gid]).toEqual([1234, 1235]);
    await expect(apply(root, "/", [{ type: "install_text", text: "x", dst: "/etc/b", user: "ghost" }])).rejects.toMatchObject({ details: [{ kind: "missing", message: expect.stringMatching(/^user "ghost"/) }] });
  });
});

describe("escapes", () => {
  it("a dst with .. is refused by the schema", () => {
    expect(() => parseFeatures([{ type: "install_text", label: L, text: "", dst: "/etc/../../x" }], L)).toThrow(/invalid attribute "dst"/);
  });

  it("writing through an image symlink to a host path stays inside the image", async () => {
    const host = freshScratchDir("host-");
    const root = freshScratchDir();
    mkdirSync(join(root, host), { recursive: true });
    symlinkSync(host, join(root, "data"));
    const ctx = await apply(root, "/", [{ type: "install_text", text: "in", dst: "/data/file" }]);
    expect(existsSync(join(host, "file"))).toBe(false);
    expect(readFileSync(join(root, host, "file"), "utf8")).toBe("in");
    expect(ctx.touchedPaths).toEqual([`${host}/file`]);
  });
});
