// The file tree a .deb installs: its data.tar{,.xz,.zst,.gz,.bz2} member, decompressed to a plain tar and checked
// like a tarball feature's archive (no member may leave the root it is extracted into).
import { StrataError } from "../errors.js";
import { archiveErrors, decompress, listTar, readAr } from "../archive/index.js";

/** The uncompressed data tarball of a .deb. */
export async function debDataTar(deb: Buffer, label = "strata"): Promise<Buffer> {
  const members = readAr(deb, label);
  const data = members.find((m) => /^data\.tar(\.[a-z0-9]+)?$/.test(m.name));
  if (data === undefined) {
    throw new StrataError({ kind: "schema", label, message: "the .deb has no data.tar member", expected: "data.tar, data.tar.gz, data.tar.xz, data.tar.zst, data.tar.bz2", found: members.map((m) => m.name).join(", ") });
  }
  let tar: Buffer;
  let problems: string[];
  try {
    tar = await decompress(data.data);
    problems = (await listTar(tar, "the package root")).problems;
  } catch (e) {
    throw new StrataError({ kind: "io", label, ...archiveErrors.unreadable(data.name, (e as Error).message) });
  }
  if (problems.length > 0) throw new StrataError({ kind: "schema", label, ...archiveErrors.unsafe(data.name, "the package root", problems) });
  return tar;
}
