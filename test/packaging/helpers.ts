// Layers for the packaging tests, and a tree description that includes xattrs (file capabilities).
import { execFileSync } from "node:child_process";
import { cpSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { expect } from "vitest";
import { strata, writeFeatures } from "../runner/helpers.js";
import { freshBtrfsDir, freshScratchDir } from "../helpers/volume.js";

export interface Built {
  /** the OUT symlink of the layer */
  out: string;
  wv: string;
  work: string;
}

export const PARENT_FEATURES = (label: string): object[] => [
  { type: "ensure_dirs_exist", label, dirs: "/etc" },
  { type: "ensure_dirs_exist", label, dirs: "/usr/bin" },
  { type: "ensure_dirs_exist", label, dirs: "/var/old/deep" },
  { type: "install_text", label, text: "root:x:0:0:root:/root:/bin/sh\napp:x:1500:1500::/:/bin/sh\n", dst: "/etc/passwd", mode: 0o644, user: 0, group: 0 },
  { type: "install_text", label, text: "root:x:0:\napp:x:1500:\n", dst: "/etc/group", mode: 0o644, user: 0, group: 0 },
  { type: "install_text", label, text: "bye\n", dst: "/etc/obsolete.conf" },
  { type: "install_text", label, text: "old\n", dst: "/var/old/deep/file" },
  { type: "install_text", label, text: "v1\n", dst: "/etc/version" },
];

export const CHILD_FEATURES = (label: string): object[] => [
  { type: "remove", label, path: "/etc/obsolete.conf" },
  { type: "remove", label, path: "/var/old" },
  { type: "remove", label, path: "/etc/version" },
  { type: "install_text", label, text: "v2\n", dst: "/etc/version", mode: 0o640, user: "app", group: "app" },
  { type: "ensure_dirs_exist", label, dirs: "/srv/www" },
  { type: "install_text", label, text: "<h1>hi</h1>\n", dst: "/srv/www/index.html", user: 1500, group: 1500 },
  { type: "ensure_file_symlink", label, link: "/srv/home.html", target: "/srv/www/index.html" },
];

/** compiles one layer with the runner, as image.layer does: a `remove` phase first when there are removals */
export async function compileLayer(name: string, features: object[], opts: { wv?: string; parent?: Built; epoch?: string } = {}): Promise<Built> {
  const wv = opts.wv ?? opts.parent?.wv ?? freshBtrfsDir("pkg-wv-");
  const work = freshScratchDir("pkg-");
  const label = `//test/packaging:${name}`;
  const removes = features.filter((f) => (f as { type: string }).type === "remove");
  const rest = features.filter((f) => (f as { type: string }).type !== "remove");
  const phases: [string, object[]][] = [...(removes.length > 0 ? [["remove", removes] as [string, object[]]] : []), ["compile", rest]];
  let previous = opts.parent?.out;
  let out = "";
  for (const [phase, list] of phases) {
    const f = writeFeatures(join(work, `${phase}.json`), list);
    out = join(work, phase === "compile" ? "out" : `out-${phase}`);
    const r = await strata(
      ["compile", "--label", label, "--phase", phase, "--features", f, "--out", out, "--working-volume", wv, ...(previous !== undefined ? ["--parent", previous] : [])],
      { env: { SOURCE_DATE_EPOCH: opts.epoch ?? "1700000000" } },
    );
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    previous = out;
  }
  return { out, wv, work };
}

/**
 * A layer whose tree gets what no feature makes yet: a file capability (security.capability), a hard link, a name
 * with a space and a byte that is not UTF-8. Made from a built layer: a writable snapshot changed by hand, sealed
 * read-only, with the layer's facts beside it.
 */
export async function layerWithExtras(base: Built, extra?: (tree: string) => void): Promise<Built> {
  const layerDir = join(realpathSync(base.out), "..");
  const dir = freshBtrfsDir("pkg-extra-");
  execFileSync("btrfs", ["subvolume", "snapshot", join(layerDir, "root"), join(dir, "root")], { stdio: "ignore" });
  const tree = join(dir, "root");
  writeFileSync(join(tree, "usr/bin/ping"), "#!/bin/sh\necho ping\n", { mode: 0o755 });
  execFileSync("setcap", ["cap_net_raw+ep", join(tree, "usr/bin/ping")]);
  execFileSync("ln", [join(tree, "usr/bin/ping"), join(tree, "usr/bin/ping-link")]);
  writeFileSync(join(tree, "etc/with space.conf"), "x\n");
  writeFileSync(Buffer.from(join(tree, "etc/latin1-\xe9"), "latin1") as unknown as string, "y\n");
  extra?.(tree);
  // same times on everything the test touched, as strata's own features would leave them
  execFileSync("find", [tree, "-newer", join(tree, "etc/passwd"), "-exec", "touch", "-h", "-d", "@1700000000", "{}", "+"]);
  execFileSync("btrfs", ["property", "set", "-ts", tree, "ro", "true"]);
  cpSync(join(layerDir, "facts"), join(dir, "facts"), { recursive: true });
  cpSync(join(layerDir, "layer.json"), join(dir, "layer.json"));
  const work = freshScratchDir("pkg-extra-out-");
  const out = join(work, "out");
  symlinkSync(tree, out);
  return { out, wv: base.wv, work };
}

export interface TreeOptions {
  xattrs?: boolean;
  times?: boolean;
  /** paths (relative, without leading /) left out of the comparison */
  ignore?: (rel: string) => boolean;
}

/** every path under `root`: type, mode, owner, mtime, content digest or link target, xattrs; sorted by bytes */
export function describeTree(rootOrLink: string, opts: TreeOptions = {}): string[] {
  const root = realpathSync(rootOrLink);
  const lines: string[] = [];
  const xattrs = opts.xattrs !== false ? readXattrs(root) : new Map<string, string>();
  const visit = (rel: string) => {
    const abs = Buffer.from(rel === "" ? root : join(root, rel), "latin1") as unknown as string;
    const st = lstatSync(abs);
    const type = st.isDirectory() ? "d" : st.isSymbolicLink() ? "l" : st.isFile() ? "f" : "o";
    if (rel !== "" && opts.ignore?.(rel) === true) return;
    let what = "";
    if (type === "f") what = createHash("sha256").update(readFileSync(abs)).digest("hex").slice(0, 16) + ` nlink=${st.nlink}`;
    if (type === "l") what = `-> ${readlinkSync(abs)}`;
    const time = opts.times === false || type === "l" ? "" : ` t=${Math.floor(st.mtimeMs / 1000)}`;
    if (rel !== "") lines.push(`${rel} ${type} ${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid}${time} ${what}${xattrs.has(rel) ? ` xattr:${xattrs.get(rel)}` : ""}`);
    if (type === "d") {
      for (const n of readdirSync(abs, { encoding: "buffer" }).sort(Buffer.compare)) visit(rel === "" ? n.toString("latin1") : `${rel}/${n.toString("latin1")}`);
    }
  };
  visit("");
  return lines;
}

/** rel path (latin1) -> "name=hex;..." of every xattr under root, from `getfattr` */
function readXattrs(root: string): Map<string, string> {
  const out = new Map<string, string>();
  let text: Buffer;
  try {
    text = execFileSync("getfattr", ["--absolute-names", "-R", "-P", "-d", "-m", "-", "-e", "hex", root], { maxBuffer: 1 << 28, stdio: ["ignore", "pipe", "ignore"] });
  } catch (e) {
    text = (e as { stdout?: Buffer }).stdout ?? Buffer.alloc(0);
  }
  let current = "";
  for (const line of text.toString("latin1").split("\n")) {
    if (line.startsWith("# file: ")) current = line.slice(8).slice(root.length + 1);
    else if (line.includes("=") && current !== "") out.set(current, [out.get(current), line].filter(Boolean).join(";"));
  }
  return out;
}

export function pkg(args: string[], epoch = "1700000000") {
  return strata(["package", ...args], { env: { SOURCE_DATE_EPOCH: epoch } });
}

export function sh(cmd: string, args: string[], opts: { cwd?: string; input?: Buffer } = {}): Buffer {
  return execFileSync(cmd, args, { cwd: opts.cwd, input: opts.input, maxBuffer: 1 << 30, stdio: ["pipe", "pipe", "pipe"] });
}

export function mkdirFresh(prefix: string): string {
  const d = freshScratchDir(prefix);
  mkdirSync(d, { recursive: true });
  return d;
}
