// Hostile archives: members that climb, absolute names, links in the archive or the image that lead out of
// into_dir, hard links out, device nodes, huge names, duplicates. Nothing outside into_dir may change (in the
// image: /etc stays as the parent had it), nothing on the host, nothing in the parent layer.
import { beforeAll, describe, expect, it } from "vitest";
import { lstatSync, mkdtempSync, readFileSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeBtrfs } from "../helpers/volume.js";
import { base } from "../runner/helpers.js";
import { craftDeb, craftTar, sandbox, snapshotTree, type Sandbox, type TarMember } from "./helpers.js";
import { debDataTar } from "../../src/debian/extract.js";
import { StrataError } from "../../src/errors.js";

const L = "//sec:tar";

// The archive-only cases (no image symlink involved), refused by the shared escape check before anything is written.
const hostileArchives: [string, TarMember[]][] = [
  ["a member named ../x", [{ name: "../x", content: "x" }]],
  ["a member named a/../../etc/passwd", [{ name: "a/../../etc/passwd", content: "x" }]],
  ["a file under a symlink member to /etc", [{ name: "l", type: "symlink", linkname: "/etc" }, { name: "l/passwd", content: "pwned\n" }]],
  ["a file under a relative symlink member that climbs", [{ name: "l", type: "symlink", linkname: "../../.." }, { name: "l/etc/passwd", content: "pwned\n" }]],
  ["a file under a chain of symlink members", [{ name: "a", type: "symlink", linkname: "b" }, { name: "b", type: "symlink", linkname: "../../etc" }, { name: "a/passwd", content: "pwned\n" }]],
  ["a directory member over an archive symlink to /etc", [{ name: "l", type: "symlink", linkname: "/etc" }, { name: "l", type: "directory", mode: 0o777, uid: 4242 }]],
  ["a hard link to ../../etc/passwd", [{ name: "h", type: "link", linkname: "../../etc/passwd" }]],
  ["a hard link through an archive symlink to /etc", [{ name: "l", type: "symlink", linkname: "/etc" }, { name: "h", type: "link", linkname: "l/passwd" }]],
];

describe("security: hostile .deb data tarballs are refused (the .deb path shares the tarball's escape check)", () => {
  it.each(hostileArchives)("%s", async (name, members) => {
    const tar = readFileSync(await craftTar(join(mkdtempSync(join(tmpdir(), "strata-deb-")), "data.tar"), members));
    const e = await debDataTar(craftDeb(tar), "//sec:deb").catch((x: unknown) => x);
    expect(e, name).toBeInstanceOf(StrataError);
    expect((e as StrataError).details[0]).toMatchObject({ kind: "schema", label: "//sec:deb" });
    expect((e as StrataError).message).toMatch(/^error: \/\/sec:deb: unsafe archive "data\.tar": .*(climbs out of|leads outside) the package root/);
  });
});

describeBtrfs("security: hostile tarballs stay inside into_dir", () => {
  let sb: Sandbox;
  let parent: string;
  let parentTree: string[];
  let canaryTree: string[];
  let etcTree: string[];

  beforeAll(async () => {
    sb = sandbox();
    const links = await craftTar(join(sb.work, "links.tar"), [
      { name: "opt/x/out", type: "symlink", linkname: "/etc" },
      { name: "opt/x/outrel", type: "symlink", linkname: "../../etc" },
      { name: "opt/x/host", type: "symlink", linkname: sb.canary },
      { name: "opt/x/in", type: "directory" },
      { name: "opt/x/in/f", content: "in\n" },
    ]);
    const r = await sb.compile("parent", [...base("//sec:parent"), { type: "tarball", label: "//sec:parent", src: links, into_dir: "/" }]);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    parent = r.out;
    parentTree = snapshotTree(realpathSync(parent));
    canaryTree = snapshotTree(sb.canary);
    etcTree = snapshotTree(join(realpathSync(parent), "etc"));
  });

  async function extract(name: string, members: TarMember[]) {
    const file = await craftTar(join(sb.work, `${name}.tar`), members);
    const r = await sb.compile(name, [{ type: "tarball", label: L, src: file, into_dir: "/opt/x" }], parent);
    expect(snapshotTree(sb.canary)).toEqual(canaryTree);
    expect(snapshotTree(realpathSync(parent))).toEqual(parentTree);
    if (r.exitCode === 0) expect(snapshotTree(join(realpathSync(r.out), "etc"))).toEqual(etcTree);
    else {
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/^error: /);
    }
    return r;
  }

  const refused: [string, TarMember[]][] = [
    ["a member named ../x", [{ name: "../x", content: "x" }]],
    ["a member named a/../../etc/passwd", [{ name: "a/../../etc/passwd", content: "x" }]],
    ["a file under a symlink member to /etc", [{ name: "l", type: "symlink", linkname: "/etc" }, { name: "l/passwd", content: "pwned\n" }]],
    ["a file under a relative symlink member that climbs", [{ name: "l", type: "symlink", linkname: "../../.." }, { name: "l/etc/passwd", content: "pwned\n" }]],
    ["a file under a chain of symlink members", [{ name: "a", type: "symlink", linkname: "b" }, { name: "b", type: "symlink", linkname: "../../etc" }, { name: "a/passwd", content: "pwned\n" }]],
    ["a file under the image's symlink to /etc", [{ name: "out/passwd", content: "pwned\n" }]],
    ["a file under the image's relative symlink to ../../etc", [{ name: "outrel/group", content: "pwned\n" }]],
    ["a directory member over the image's symlink to /etc (would chmod /etc)", [{ name: "out/", type: "directory", mode: 0o777, uid: 4242, gid: 4242 }]],
    ["a directory member over the image's relative symlink to /etc", [{ name: "outrel", type: "directory", mode: 0o777, uid: 4242 }]],
    ["a directory member over an archive symlink to /etc", [{ name: "l", type: "symlink", linkname: "/etc" }, { name: "l", type: "directory", mode: 0o777, uid: 4242 }]],
    ["a hard link to ../../etc/passwd", [{ name: "h", type: "link", linkname: "../../etc/passwd" }]],
    ["a hard link through the image's symlink to /etc", [{ name: "h", type: "link", linkname: "out/passwd" }]],
    ["a hard link through an archive symlink to /etc", [{ name: "l", type: "symlink", linkname: "/etc" }, { name: "h", type: "link", linkname: "l/passwd" }]],
    ["a character device", [{ name: "mem", type: "character-device", devmajor: 1, devminor: 1, mode: 0o666 }]],
    ["a block device", [{ name: "sda", type: "block-device", devmajor: 8, devminor: 0, mode: 0o666 }]],
    ["a fifo", [{ name: "fifo", type: "fifo" }]],
  ];

  describe.each(refused)("%s", (name, members) => {
    it("is refused", async () => {
      const r = await extract(`r${refused.findIndex(([n]) => n === name)}`, members);
      expect(r.exitCode).toBe(1);
    });
  });

  it("an absolute member name is taken relative to into_dir", async () => {
    const r = await extract("abs", [{ name: "/etc/passwd", content: "pwned\n" }]);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    expect(readFileSync(join(realpathSync(r.out), "opt/x/etc/passwd"), "utf8")).toBe("pwned\n");
  });

  it("a file member named like the image's symlink never writes through it (refused: the parent provides that path)", async () => {
    const r = await extract("replace", [{ name: "out", content: "now a file\n" }]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/already exists in the parent layer/);
  });

  it("a directory member over a symlink that stays inside into_dir is followed", async () => {
    const r = await extract("inside", [{ name: "l", type: "symlink", linkname: "in" }, { name: "l", type: "directory", mode: 0o750 }]);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    expect(lstatSync(join(realpathSync(r.out), "opt/x/in")).mode & 0o7777).toBe(0o750);
  });

  it("very long names and duplicate members either extract inside into_dir or are refused", async () => {
    const long = Array.from({ length: 20 }, (_, i) => `${String(i).padStart(3, "0")}${"n".repeat(200)}`).join("/");
    await extract("long", [{ name: `${long}/f`, content: "deep\n" }]);
    await extract("toolong", [{ name: `${"z".repeat(300)}`, content: "x" }]);
    const dup = await extract("dup", [{ name: "d", content: "1" }, { name: "d", content: "2" }, { name: "d", type: "symlink", linkname: "/etc/passwd" }]);
    expect(dup.exitCode).toBe(0);
    expect(lstatSync(join(realpathSync(dup.out), "opt/x/d")).isSymbolicLink()).toBe(true);
  });

  it("a setuid-root member keeps its bits (the archive is trusted for content, not for location)", async () => {
    const r = await extract("suid", [{ name: "su", content: "#!/bin/sh\n", mode: 0o4755, uid: 0, gid: 0 }]);
    expect(r.exitCode).toBe(0);
    expect(lstatSync(join(realpathSync(r.out), "opt/x/su")).mode & 0o7777).toBe(0o4755);
  });
});
