// Xattrs set by features (`xattrs = {...}` on install_text, ensure_subdirs_exist, and a file capability written as
// `security.capability`) survive packaging: GNU tar, unsquashfs, an ext4 loop mount and umoci unpack give them back,
// and the layer's facts record them.
import { beforeAll, expect, it } from "vitest";
import { mkdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describeBtrfs, freshScratchDir } from "../helpers/volume.js";
import { compileLayer, describeTree, pkg, sh, type Built } from "./helpers.js";
import { openFacts } from "../../src/facts/view.js";
import { execa } from "execa";
import { repoRoot, strataBin } from "../runner/helpers.js";

/** cap_net_raw+ep as a VFS capability (v2) blob, the bytes setcap writes */
const CAP_NET_RAW = "0x0100000200200000000000000000000000000000";

const L = "//test/packaging:xattrs";
const FEATURES = [
  { type: "ensure_dirs_exist", label: L, dirs: "/usr/bin" },
  { type: "install_text", label: L, text: "#!/bin/sh\necho ping\n", dst: "/usr/bin/ping", mode: 0o755, xattrs: { "security.capability": CAP_NET_RAW } },
  { type: "install_text", label: L, text: "cfg\n", dst: "/etc.conf", xattrs: { "user.plain": "hello", "user.b64": "0s3q2+7w==" } },
  { type: "ensure_subdirs_exist", label: L, into_dir: "/", subdirs_to_create: "srv/tagged", xattrs: { "user.dir": "0x00ff" } },
];

const WANT: Record<string, string> = {
  "usr/bin/ping": `security.capability=${CAP_NET_RAW}`,
  "etc.conf": "user.b64=0xdeadbeef;user.plain=0x68656c6c6f",
  "srv": "user.dir=0x00ff",
  "srv/tagged": "user.dir=0x00ff",
};

/** rel path -> xattr text, from describeTree's lines */
function xattrsOf(lines: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const l of lines) {
    const m = / xattr:(.*)$/.exec(l);
    if (m) out[l.split(" ")[0]!] = m[1]!;
  }
  return out;
}

describeBtrfs("xattrs set by features survive packaging", () => {
  let layer: Built;
  let want: string[];
  beforeAll(async () => {
    layer = await compileLayer("xattrs", FEATURES);
    want = describeTree(layer.out);
    expect(xattrsOf(want)).toEqual(WANT);
  });

  it("the layer's facts record them", () => {
    const facts = openFacts(join(dirname(readlinkSync(layer.out)), "facts"));
    expect(facts.path("/usr/bin/ping")?.xattrs).toBe(`security.capability=${CAP_NET_RAW}`);
    expect(facts.path("/etc.conf")?.xattrs).toBe("user.b64=0xdeadbeef,user.plain=0x68656c6c6f");
    expect(facts.path("/srv/tagged")?.xattrs).toBe("user.dir=0x00ff");
    expect(facts.path("/usr")?.xattrs).toBeUndefined();
  });

  it("tar: GNU tar extracts them", async () => {
    const dir = freshScratchDir("xt-");
    expect((await pkg(["tar", "--label", "//t:pkg", "--layer", layer.out, "--out", join(dir, "l.tar")])).stderr).toBe("");
    const into = join(dir, "x");
    mkdirSync(into);
    sh("tar", ["-x", "-f", join(dir, "l.tar"), "-C", into, "--xattrs", "--xattrs-include=*", "--numeric-owner", "-p"]);
    expect(describeTree(into)).toEqual(want);
  });

  it("squashfs: unsquashfs gives them back", async () => {
    const dir = freshScratchDir("xsq-");
    const img = join(dir, "l.squashfs");
    expect((await pkg(["squashfs", "--label", "//t:pkg", "--layer", layer.out, "--out", img])).stderr).toBe("");
    sh("unsquashfs", ["-q", "-n", "-d", join(dir, "x"), img]);
    expect(describeTree(join(dir, "x"))).toEqual(want);
  });

  it("ext4: a read-only loop mount shows them", async () => {
    const dir = freshScratchDir("xe4-");
    const img = join(dir, "l.ext4");
    expect((await pkg(["ext4", "--label", "//t:pkg", "--layer", layer.out, "--out", img, "--free-mb", "4"])).stderr).toBe("");
    const mnt = join(dir, "mnt");
    mkdirSync(mnt);
    sh("mount", ["-o", "loop,ro,noload", "-t", "ext4", img, mnt]);
    try {
      expect(describeTree(mnt, { ignore: (p) => p === "lost+found" })).toEqual(want);
    } finally {
      sh("umount", [mnt]);
    }
  });

  it("OCI: umoci unpack gives them back", async () => {
    const dir = freshScratchDir("xoci-");
    const tar = join(dir, "l.diff.tar");
    expect((await pkg(["layer-diff", "--label", "//t:l", "--layer", layer.out, "--out", tar])).stderr).toBe("");
    const blob = join(dir, "l.blob.gz");
    const desc = `${blob}.json`;
    expect((await pkg(["layer-blob.gz", "--label", "//t:l", "--diff", tar, "--out", blob, "--descriptor-out", desc])).stderr).toBe("");
    const cfg = join(dir, "config.json");
    writeFileSync(cfg, JSON.stringify({ ref: "latest" }));
    const image = join(dir, "image.oci");
    expect((await pkg(["oci", "--label", "//t:image", "--config", cfg, "--out", image, "--blob", blob, "--descriptor", desc])).stderr).toBe("");
    expect(JSON.parse(readFileSync(desc, "utf8")).mediaType).toBe("application/vnd.oci.image.layer.v1.tar+gzip");
    const bundle = join(dir, "bundle");
    sh("umoci", ["unpack", "--image", `${image}:latest`, bundle]);
    expect(xattrsOf(describeTree(join(bundle, "rootfs"), { times: false }))).toEqual(WANT);
    expect(describeTree(join(bundle, "rootfs"), { times: false })).toEqual(describeTree(layer.out, { times: false }));
  });

  it("examples/xattrs: the local driver builds the example; its tar keeps the capability and the user xattrs, its facts show them", async () => {
    const r = await execa("node", [strataBin, "local", "build", "//examples/xattrs:tagged.tar", "//examples/xattrs:tagged[facts]"], { cwd: repoRoot, reject: false });
    expect(r.exitCode).toBe(0);
    const out = join(repoRoot, "buck-out/v2/gen/root/examples/xattrs");
    const into = join(freshScratchDir("xex-"), "x");
    mkdirSync(into);
    sh("tar", ["-x", "-f", join(out, "__tagged.tar__/tagged.tar"), "-C", into, "--xattrs", "--xattrs-include=*", "--numeric-owner", "-p"]);
    const got = xattrsOf(describeTree(into));
    expect(got).toMatchObject({
      "usr/bin/serve": "security.capability=0x0100000200040000000000000000000000000000",
      "etc/serve.conf": "user.checksum=0xdeadbeef;user.origin=0x6578616d706c65732f786174747273",
      "var/lib/serve/cache": "user.backup=0x736b6970",
    });
    const facts = JSON.parse(readFileSync(join(out, "__tagged__/compile/facts.json"), "utf8")) as { paths: { path: string; xattrs?: string }[] };
    expect(facts.paths.find((f) => f.path === "/usr/bin/serve")?.xattrs).toBe("security.capability=0x0100000200040000000000000000000000000000");
  }, 600_000);
});
