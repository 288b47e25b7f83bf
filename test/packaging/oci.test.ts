// OCI: one layer per image.layer (each its changes against its parent, removals as whiteouts), read by skopeo
// and unpacked by umoci (which checks every diff_id) into the child layer's tree.
import { beforeAll, expect, it } from "vitest";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describeBtrfs, freshScratchDir } from "../helpers/volume.js";
import { CHILD_FEATURES, PARENT_FEATURES, compileLayer, describeTree, layerWithExtras, pkg, sh, type Built } from "./helpers.js";

interface Desc {
  digest: string;
  diff_id: string;
  size: number;
}

async function blob(layer: Built, parent: Built | undefined, compression: "gzip" | "zstd" | "none", dir: string, name: string): Promise<{ blob: string; desc: string; tar: string }> {
  const tar = join(dir, `${name}.diff.tar`);
  const r = await pkg(["layer-diff", "--label", `//t:${name}`, "--layer", layer.out, ...(parent ? ["--parent", parent.out] : []), "--out", tar]);
  expect(r.stderr).toBe("");
  const suffix = compression === "gzip" ? ".gz" : compression === "zstd" ? ".zst" : "";
  const out = join(dir, `${name}.blob${suffix}`);
  const desc = `${out}.json`;
  const b = await pkg([`layer-blob${suffix}`, "--label", `//t:${name}`, "--diff", tar, "--out", out, "--descriptor-out", desc]);
  expect(b.stderr).toBe("");
  return { blob: out, desc, tar };
}

async function layout(dir: string, blobs: { blob: string; desc: string }[], config: object): Promise<string> {
  const cfg = join(dir, "config.json");
  writeFileSync(cfg, JSON.stringify(config));
  const out = join(dir, "image.oci");
  const r = await pkg(["oci", "--label", "//t:image", "--config", cfg, "--out", out, ...blobs.flatMap((b) => ["--blob", b.blob, "--descriptor", b.desc])]);
  expect(r.stderr).toBe("");
  return out;
}

describeBtrfs("package.oci", () => {
  let parent: Built;
  let child: Built;
  beforeAll(async () => {
    parent = await compileLayer("parent", PARENT_FEATURES("//test/packaging:parent"));
    child = await layerWithExtras(await compileLayer("child", CHILD_FEATURES("//test/packaging:child"), { parent }));
  });

  it("the diff holds what the child changed, whole, and whiteouts for what it removed (the highest removed path only)", async () => {
    const dir = freshScratchDir("diff-");
    const { tar } = await blob(child, parent, "none", dir, "child");
    const names = sh("tar", ["-t", "-f", tar]).toString().trim().split("\n");
    expect(names.filter((n) => n.includes(".wh."))).toEqual(["etc/.wh.obsolete.conf", "var/.wh.old"]);
    expect(names).toContain("etc/version");
    expect(names).toContain("srv/www/index.html");
    expect(names).toContain("usr/bin/ping");
    expect(names.some((n) => n.startsWith("./") || n === "")).toBe(false);
    // the whiteouts come first, then the entries in byte order
    const entries = names.filter((n) => !n.includes(".wh."));
    expect(entries).toEqual([...entries].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
    const verbose = sh("tar", ["-t", "-v", "--numeric-owner", "-f", tar]).toString();
    expect(verbose).toMatch(/-rw-r----- 1500\/1500 +3 2023-11-14 22:13 etc\/version/);
  });

  it("skopeo reads the layout; umoci unpacks it (checking diff_ids) into the child's tree, capabilities included", async () => {
    const dir = freshScratchDir("oci-");
    const p = await blob(parent, undefined, "gzip", dir, "parent");
    const c = await blob(child, parent, "gzip", dir, "child");
    const image = await layout(dir, [p, c], {
      ref: "latest",
      entrypoint: ["/usr/bin/ping"],
      cmd: ["-c", "1"],
      env: { B: "2", A: "1" },
      user: "app",
      working_dir: "/srv",
      labels: { "org.example.k": "v" },
      exposed_ports: ["8080", "53/udp"],
    });
    const inspect = JSON.parse(sh("skopeo", ["inspect", `oci:${image}:latest`]).toString()) as { Layers: string[]; Env: string[]; Created: string; Labels: Record<string, string> };
    const descs = [p, c].map((b) => JSON.parse(readFileSync(b.desc, "utf8")) as Desc);
    expect(inspect.Layers).toEqual(descs.map((d) => d.digest));
    // the usual default PATH besides the package's own variables (a runtime that adds none still finds programs)
    expect(inspect.Env).toEqual(["A=1", "B=2", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]);
    expect(inspect.Created).toBe("2023-11-14T22:13:20Z");
    const config = JSON.parse(sh("skopeo", ["inspect", "--config", `oci:${image}:latest`]).toString()) as Record<string, any>;
    expect(config["config"]).toEqual({
      Entrypoint: ["/usr/bin/ping"],
      Cmd: ["-c", "1"],
      Env: ["A=1", "B=2", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
      User: "app",
      WorkingDir: "/srv",
      Labels: { "org.example.k": "v" },
      ExposedPorts: { "53/udp": {}, "8080/tcp": {} },
    });
    expect(config["rootfs"].diff_ids).toEqual(descs.map((d) => d.diff_id));
    expect(config["history"]).toHaveLength(2);
    const bundle = join(dir, "bundle");
    sh("umoci", ["unpack", "--image", `${image}:latest`, bundle]);
    expect(describeTree(join(bundle, "rootfs"), { times: false })).toEqual(describeTree(child.out, { times: false }));
  });

  it("Env: the default PATH when the package sets none, the package's own PATH instead of it when it sets one", async () => {
    const dir = freshScratchDir("ocienv-");
    const p = await blob(parent, undefined, "gzip", dir, "parent");
    const env = (image: string) => (JSON.parse(sh("skopeo", ["inspect", "--config", `oci:${image}:latest`]).toString()) as { config: { Env: string[] } }).config.Env;
    expect(env(await layout(mkdirFresh(dir, "none"), [p], { ref: "latest" }))).toEqual(["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]);
    expect(env(await layout(mkdirFresh(dir, "own"), [p], { ref: "latest", env: { PATH: "/opt/app/bin:/usr/bin", LANG: "C.UTF-8" } }))).toEqual(["LANG=C.UTF-8", "PATH=/opt/app/bin:/usr/bin"]);
  });

  it("zstd layers: skopeo copies the image (decompressing and checking every layer)", async () => {
    const dir = freshScratchDir("ociz-");
    const image = await layout(dir, [await blob(parent, undefined, "zstd", dir, "parent"), await blob(child, parent, "zstd", dir, "child")], { ref: "latest" });
    const manifest = JSON.parse(readFileSync(join(image, "index.json"), "utf8")) as { manifests: { digest: string }[] };
    const m = JSON.parse(readFileSync(join(image, "blobs/sha256", manifest.manifests[0]!.digest.slice(7)), "utf8")) as { layers: { mediaType: string }[] };
    expect(m.layers.map((l) => l.mediaType)).toEqual(["application/vnd.oci.image.layer.v1.tar+zstd", "application/vnd.oci.image.layer.v1.tar+zstd"]);
    sh("skopeo", ["copy", "--quiet", `oci:${image}:latest`, `dir:${join(dir, "copied")}`]);
    expect(readdirSync(join(dir, "copied")).length).toBeGreaterThan(3);
  });

  it("children of one parent share the parent's layer digest; the same inputs give the same image bytes", async () => {
    const dir = freshScratchDir("share-");
    const other = await compileLayer("other", [{ type: "install_text", label: "//t:other", text: "o\n", dst: "/etc/other" }], { parent });
    const a = await blob(parent, undefined, "gzip", dir, "parent-a");
    const b = await blob(parent, undefined, "gzip", dir, "parent-b");
    expect(readFileSync(a.desc, "utf8").replace(/parent-a/g, "")).toBe(readFileSync(b.desc, "utf8").replace(/parent-b/g, ""));
    const o = await blob(other, parent, "gzip", dir, "other");
    const d1 = mkdirFresh(dir, "1");
    const d2 = mkdirFresh(dir, "2");
    const i1 = await layout(d1, [a, o], { ref: "latest" });
    const i2 = await layout(d2, [a, o], { ref: "latest" });
    expect(sh("diff", ["-r", i1, i2]).toString()).toBe("");
  });

  it("a renamed directory: its new place comes whole, its old place is whited out, umoci's tree equals the layer", async () => {
    const moved = await layerWithExtras(parent, (tree) => {
      renameSync(join(tree, "var/old"), join(tree, "var/moved"));
      rmSync(join(tree, "etc/version"));
    });
    const dir = freshScratchDir("mv-");
    const p = await blob(parent, undefined, "gzip", dir, "parent");
    const c = await blob(moved, parent, "gzip", dir, "moved");
    const names = sh("tar", ["-t", "-f", c.tar]).toString().trim().split("\n");
    expect(names).toEqual(expect.arrayContaining(["var/.wh.old", "etc/.wh.version", "var/moved/", "var/moved/deep/", "var/moved/deep/file"]));
    const image = await layout(dir, [p, c], { ref: "latest" });
    const bundle = join(dir, "bundle");
    sh("umoci", ["unpack", "--image", `${image}:latest`, bundle]);
    expect(describeTree(join(bundle, "rootfs"), { times: false })).toEqual(describeTree(moved.out, { times: false }));
  });

  it("a file named .wh.* cannot be held by an OCI layer: one error naming the target, no output", async () => {
    const bad = await layerWithExtras(parent, (tree) => writeFileSync(join(tree, "etc/.wh.sneaky"), "x"));
    const dir = freshScratchDir("wh-");
    const r = await pkg(["layer-diff", "--label", "//t:bad", "--layer", bad.out, "--parent", parent.out, "--out", join(dir, "d.tar")]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.split("\n")[0]).toBe('error: //t:bad: the layer holds a path an OCI layer cannot hold: a name starting with ".wh." means a deletion there');
    expect(r.stderr).toContain("/etc/.wh.sneaky");
    expect(readdirSync(dir)).toEqual([]);
  });
});

function mkdirFresh(dir: string, name: string): string {
  const d = join(dir, name);
  mkdirSync(d);
  return d;
}

