// Members of a Unix `ar` archive (the container format of a .deb): 8-byte magic, then 60-byte headers each
// followed by the member's data, padded to an even length.
import { StrataError } from "../errors.js";

export interface ArMember {
  name: string;
  data: Buffer;
}

const MAGIC = "!<arch>\n";

export function readAr(buf: Buffer, label = "strata"): ArMember[] {
  if (buf.subarray(0, 8).toString("latin1") !== MAGIC) {
    throw new StrataError({ kind: "schema", label, message: "not an ar archive (a .deb is one)", expected: JSON.stringify(MAGIC), found: JSON.stringify(buf.subarray(0, 8).toString("latin1")) });
  }
  const out: ArMember[] = [];
  let off = 8;
  while (off + 60 <= buf.length) {
    const header = buf.subarray(off, off + 60).toString("latin1");
    // GNU ar ends names with "/"; BSD-style long names are not used by dpkg
    const name = header.slice(0, 16).trimEnd().replace(/\/$/, "");
    const size = Number(header.slice(48, 58).trim());
    if (!Number.isInteger(size) || header.slice(58, 60) !== "`\n") {
      throw new StrataError({ kind: "schema", label, message: `corrupt ar member header at byte ${off}`, found: JSON.stringify(header) });
    }
    const start = off + 60;
    out.push({ name, data: buf.subarray(start, start + size) });
    off = start + size + (size % 2);
  }
  return out;
}
