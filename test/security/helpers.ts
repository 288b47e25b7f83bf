// Shared by the security tests: a working volume, compiles through the real CLI, crafted tar archives and a
// host "canary" directory whose contents must never change.
import { phaseOf } from "../helpers/phase.js";
import { createHash } from "node:crypto";
import { lstatSync, readFileSync, readdirSync, readlinkSync, writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { freshBtrfsDir, freshScratchDir } from "../helpers/volume.js";
import { strata, writeFeatures } from "../runner/helpers.js";

export interface Sandbox {
  wv: string;
  work: string;
  /** a host directory with files the image must never reach */
  canary: string;
  compile(name: string, features: object[], parent?: string, phase?: string): Promise<{ exitCode: number; stderr: string; out: string }>;
}

export function sandbox(): Sandbox {
  const wv = freshBtrfsDir("sec-");
  const work = freshScratchDir("sec-");
  const canary = join(work, "canary");
  mkdirSync(canary);
  writeFileSync(join(canary, "passwd"), "hostuser:x:4242:4242::/:/bin/sh\n");
  writeFileSync(join(canary, "group"), "hostgroup:x:4242:\n");
  writeFileSync(join(canary, "shadow"), "hostuser:SECRET:::::::\n");
  mkdirSync(join(canary, "sub"));
  writeFileSync(join(canary, "sub/keep"), "keep\n");
  return {
    wv,
    work,
    canary,
    async compile(name, features, parent, phase = phaseOf(features)) {
      const out = join(work, name);
      const args = ["compile", "--label", `//sec:${name}`, "--phase", phase, "--features", writeFeatures(join(work, `${name}.json`), features), "--out", out, "--working-volume", wv];
      if (parent !== undefined) args.push("--parent", parent);
      const r = await strata(args);
      return { exitCode: r.exitCode ?? -1, stderr: r.stderr, out };
    },
  };
}

/** type, mode, owner, content and link text of every entry (times excluded: reading moves atimes). */
export function snapshotTree(root: string): string[] {
  const out: string[] = [];
  const visit = (rel: string): void => {
    const host = rel === "" ? root : join(root, rel);
    const st = lstatSync(host);
    let line = `${rel || "/"} ${st.mode.toString(8)} ${st.uid}:${st.gid} ino=${st.ino} nlink=${st.nlink}`;
    if (st.isFile()) line += " " + createHash("sha256").update(readFileSync(host)).digest("hex");
    if (st.isSymbolicLink()) line += " -> " + readlinkSync(host);
    out.push(line);
    if (st.isDirectory()) for (const n of readdirSync(host).sort()) visit(rel === "" ? n : `${rel}/${n}`);
  };
  visit("");
  return out;
}

export interface TarMember {
  name: string;
  type?: "file" | "directory" | "symlink" | "link" | "character-device" | "block-device" | "fifo";
  content?: string;
  linkname?: string;
  mode?: number;
  uid?: number;
  gid?: number;
  devmajor?: number;
  devminor?: number;
}

/** A tar archive with exactly these members (names not sanitised: that is the point). */
export async function craftTar(file: string, members: TarMember[]): Promise<string> {
  const { default: tar } = await import("tar-stream");
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on("data", (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    pack.on("end", () => resolve());
    pack.on("error", reject);
  });
  for (const m of members) {
    const type = m.type ?? "file";
    pack.entry({ name: m.name, type, mode: m.mode ?? (type === "directory" ? 0o755 : 0o644), uid: m.uid ?? 0, gid: m.gid ?? 0, linkname: m.linkname, devmajor: m.devmajor, devminor: m.devminor, mtime: new Date(0) }, type === "file" ? (m.content ?? "") : undefined);
  }
  pack.finalize();
  await done;
  writeFileSync(file, Buffer.concat(chunks));
  return file;
}

/** A .deb (an ar archive: debian-binary, control.tar, then the data member given), written by hand. */
export function craftDeb(data: Buffer, dataName = "data.tar"): Buffer {
  const parts = [Buffer.from("!<arch>\n", "latin1")];
  for (const [name, body] of [["debian-binary", Buffer.from("2.0\n")], ["control.tar", Buffer.alloc(10240)], [dataName, data]] as const) {
    const h = `${`${name}/`.padEnd(16)}${"0".padEnd(12)}${"0".padEnd(6)}${"0".padEnd(6)}${"100644".padEnd(8)}${String(body.length).padEnd(10)}\`\n`;
    parts.push(Buffer.from(h, "latin1"), body);
    if (body.length % 2 === 1) parts.push(Buffer.from("\n"));
  }
  return Buffer.concat(parts);
}
