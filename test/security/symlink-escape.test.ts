// Attacks through symlinks of a parent layer: every feature that writes, reads or removes is pointed through
// absolute links to a host directory, links that climb above the root, chains and loops. Whatever the outcome
// (a write that lands inside the image, or an error), the host canary and the parent layer stay as they were.
import { beforeAll, describe, expect, it } from "vitest";
import { existsSync, lstatSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describeBtrfs } from "../helpers/volume.js";
import { base } from "../runner/helpers.js";
import { craftTar, sandbox, snapshotTree, type Sandbox } from "./helpers.js";

const UNIQUE = `strata-sec-${process.pid}-${Date.now()}`;

describeBtrfs("security: symlinks of the parent never lead writes, reads or removals onto the host", () => {
  let sb: Sandbox;
  let parent: string;
  let parentTree: string[];
  let canaryTree: string[];

  beforeAll(async () => {
    sb = sandbox();
    const links = await craftTar(join(sb.work, "links.tar"), [
      { name: "hostlink", type: "symlink", linkname: sb.canary },
      { name: "climb", type: "symlink", linkname: "../../../../../../../../../../tmp" },
      { name: "chain1", type: "symlink", linkname: "chain2" },
      { name: "chain2", type: "symlink", linkname: "/hostlink" },
      { name: "loop1", type: "symlink", linkname: "loop2" },
      { name: "loop2", type: "symlink", linkname: "loop1" },
      { name: "dotdot", type: "symlink", linkname: "/.." },
      { name: "selfdir", type: "symlink", linkname: "." },
    ]);
    const r = await sb.compile("parent", [...base("//sec:parent"), { type: "tarball", label: "//sec:parent", src: links, into_dir: "/" }]);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    parent = r.out;
    parentTree = snapshotTree(realpathSync(parent));
    canaryTree = snapshotTree(sb.canary);
  });

  function mustHold(): void {
    expect(snapshotTree(sb.canary)).toEqual(canaryTree);
    expect(snapshotTree(realpathSync(parent))).toEqual(parentTree);
    expect(existsSync(join("/tmp", UNIQUE))).toBe(false);
  }

  const L = "//sec:child";
  const attacks: [string, () => object[]][] = [
    ["install_text through an absolute link to a host dir", () => [{ type: "install_text", label: L, text: "pwned\n", dst: "/hostlink/passwd" }]],
    ["install_text through a chain of links", () => [{ type: "install_text", label: L, text: "pwned\n", dst: "/chain1/shadow" }]],
    ["install_text through a link that climbs above the root", () => [{ type: "install_text", label: L, text: "pwned\n", dst: `/climb/${UNIQUE}` }]],
    ["install_text through a link to /..", () => [{ type: "install_text", label: L, text: "pwned\n", dst: `/dotdot/tmp/${UNIQUE}` }]],
    ["install_text through a loop", () => [{ type: "install_text", label: L, text: "pwned\n", dst: "/loop1/x" }]],
    ["ensure_dirs_exist through a host link", () => [{ type: "ensure_dirs_exist", label: L, dirs: "/hostlink/sub/newdir" }]],
    ["ensure_dirs_exist through a climbing link", () => [{ type: "ensure_dirs_exist", label: L, dirs: `/climb/${UNIQUE}/d` }]],
    ["ensure_subdirs_exist into a host link", () => [{ type: "ensure_subdirs_exist", label: L, into_dir: "/hostlink", subdirs_to_create: "sub/deeper" }]],
    ["remove a host file through a link", () => [{ type: "remove", label: L, path: "/hostlink/sub/keep" }]],
    ["remove a host dir through a chain", () => [{ type: "remove", label: L, path: "/chain1/sub" }]],
    ["remove through a climbing link", () => [{ type: "remove", label: L, path: "/climb/.X11-unix", must_exist: false }]],
    ["remove through /..", () => [{ type: "remove", label: L, path: "/dotdot/tmp", must_exist: false }]],
    ["remove the link itself (allowed: the link, never its target)", () => [{ type: "remove", label: L, path: "/hostlink" }]],
    ["remove /", () => [{ type: "remove", label: L, path: "/" }]],
    ["remove via selfdir/..-free alias of the root", () => [{ type: "remove", label: L, path: "/selfdir", must_exist: false }]],
    ["layer_mount mountpoint through a host link", () => [{ type: "layer_mount", label: L, source: parent, mountpoint: "/hostlink/mnt" }]],
    ["clone a file named through a host link in the source layer", () => [{ type: "clone", label: L, src_layer: parent, src_path: "/hostlink/passwd", dst_path: "/stolen" }]],
    ["clone the contents of a host link directory", () => [{ type: "clone", label: L, src_layer: parent, src_path: "/hostlink/", dst_path: "/etc/app/" }]],
    ["clone into a host link", () => [{ type: "clone", label: L, src_layer: parent, src_path: "/etc/app/hello.txt", dst_path: "/hostlink/hello.txt" }]],
    ["group_add, then user_add, through nothing but a parent with links", () => [{ type: "group_add", label: L, groupname: "g1" }, { type: "user_add", label: L, username: "u1", primary_group: "g1", home_dir: "/", shell: "/etc/passwd" }]],
  ];

  describe.each(attacks)("%s", (_name, features) => {
    it("never touches the host or the parent", async () => {
      const r = await sb.compile(`c${attacks.findIndex(([n]) => n === _name)}`, features(), parent);
      // either refused with a user error, or done inside the image
      expect([0, 1]).toContain(r.exitCode);
      if (r.exitCode === 1) expect(r.stderr).toMatch(/^error: /);
      mustHold();
    });
  });

  it("remove of / is refused at analysis", async () => {
    const r = await sb.compile("rmroot", [{ type: "remove", label: L, path: "/" }], parent);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^error: .*image root/);
  });

  it("a write through an absolute link lands under the image root, at the link's target inside the image", async () => {
    const r = await sb.compile("inside", [{ type: "ensure_dirs_exist", label: L, dirs: `${sb.canary}/sub` }, { type: "install_text", label: L, text: "inside\n", dst: "/hostlink/sub/x" }], parent);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    expect(readFileSync(join(realpathSync(r.out), sb.canary, "sub/x"), "utf8")).toBe("inside\n");
    mustHold();
  });

  it("links that climb or loop are reported as such", async () => {
    const climb = await sb.compile("climb", [{ type: "install_text", label: L, text: "x", dst: `/climb/${UNIQUE}` }], parent);
    expect(climb.exitCode).toBe(1);
    const loop = await sb.compile("loop", [{ type: "ensure_dirs_exist", label: L, dirs: "/loop1/x" }], parent);
    expect(loop.exitCode).toBe(1);
    expect(loop.stderr).toMatch(/^error: /);
    mustHold();
  });

  describe("a parent whose account files are links to host files", () => {
    let accounts: string;
    beforeAll(async () => {
      const tarFile = await craftTar(join(sb.work, "accounts.tar"), [
        { name: "etc/passwd", type: "symlink", linkname: join(sb.canary, "passwd") },
        { name: "etc/group", type: "symlink", linkname: join(sb.canary, "group") },
        { name: "etc/shadow", type: "symlink", linkname: join(sb.canary, "shadow") },
      ]);
      const r = await sb.compile("accounts", [{ type: "tarball", label: "//sec:accounts", src: tarFile, into_dir: "/" }]);
      expect(r.stderr).toBe("");
      expect(r.exitCode).toBe(0);
      accounts = r.out;
    });

    it("user_add never reads the host's group file (the host's group is unknown in the image)", async () => {
      const r = await sb.compile("ua-host", [{ type: "user_add", label: L, username: "evil", primary_group: "hostgroup", home_dir: "/", shell: "/etc/passwd" }], accounts);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/^error: /);
      expect(r.stderr).toMatch(/requires group "hostgroup" but nothing provides it/);
      mustHold();
    });

    it("group_add and user_add write the image's files at the links' targets inside the image, never the host's", async () => {
      const r = await sb.compile("ua-image", [
        { type: "group_add", label: L, groupname: "g" },
        { type: "user_add", label: L, username: "u", primary_group: "g", home_dir: "/", shell: "/etc/group" },
        { type: "usermod", label: L, username: "u", add_supplementary_groups: ["g"] },
      ], accounts);
      expect(r.exitCode === 0 || r.stderr.startsWith("error: ")).toBe(true);
      if (r.exitCode === 0) {
        const root = realpathSync(r.out);
        expect(readFileSync(join(root, sb.canary, "group"), "utf8")).toContain("g:x:");
        expect(lstatSync(join(root, "etc/group")).isSymbolicLink()).toBe(true);
      }
      mustHold();
    });

    it("relative account links that climb out are refused", async () => {
      const t = await craftTar(join(sb.work, "climbacc.tar"), [{ name: "etc/group", type: "symlink", linkname: `../../../../../../../..${sb.canary}/group` }]);
      const p = await sb.compile("climbacc", [{ type: "tarball", label: "//sec:climbacc", src: t, into_dir: "/" }]);
      expect(p.exitCode).toBe(0);
      const r = await sb.compile("climbacc-child", [{ type: "group_add", label: L, groupname: "g" }], p.out);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/^error: /);
      mustHold();
    });
  });

  it("a parent argument that is a plain host directory (not a layer) is refused", async () => {
    writeFileSync(join(sb.work, "not-a-layer-marker"), "");
    const r = await sb.compile("bad-parent", [{ type: "install_text", label: L, text: "x", dst: "/passwd" }], sb.canary);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^error: .*not a layer/);
    mustHold();
  });
});
