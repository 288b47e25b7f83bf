// The file tree a .deb installs: its data.tar.{xz,zst,gz,bz2} member, decompressed to a plain tar.
import { execa } from "execa";
import { gunzipSync } from "node:zlib";
import { StrataError } from "../errors.js";
import { readAr } from "./ar.js";

const DECOMPRESSORS: Record<string, string[] | "gzip" | "none"> = {
  "data.tar": "none",
  "data.tar.gz": "gzip",
  "data.tar.xz": ["xz", "-dc"],
  "data.tar.zst": ["zstd", "-dc"],
  "data.tar.bz2": ["bzip2", "-dc"],
};

/** The uncompressed data tarball of a .deb. */
export async function debDataTar(deb: Buffer, label = "strata"): Promise<Buffer> {
  const members = readAr(deb, label);
  const data = members.find((m) => m.name in DECOMPRESSORS);
  if (data === undefined) {
    throw new StrataError({ label, message: "the .deb has no data.tar member", expected: Object.keys(DECOMPRESSORS).join(", "), found: members.map((m) => m.name).join(", ") });
  }
  const how = DECOMPRESSORS[data.name]!;
  if (how === "none") return data.data;
  if (how === "gzip") return gunzipSync(data.data);
  const [cmd, ...args] = how as [string, ...string[]];
  const r = await execa(cmd, args, { input: data.data, encoding: "buffer", reject: false, stripFinalNewline: false });
  if (r.exitCode !== 0) throw new StrataError({ label, message: `could not decompress ${data.name} with ${cmd}`, found: Buffer.from(r.stderr).toString().trim() });
  return Buffer.from(r.stdout);
}
