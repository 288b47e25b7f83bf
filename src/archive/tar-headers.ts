// A header-only walk of an uncompressed tar file: the members' names, kinds and link targets, read with one small
// read per header and the contents skipped by offset. For the bootstrap's check of every essential package before
// anything is extracted (tens of thousands of members, a few hundred MB of plain tar): tar-stream would read all of it.
// Knows ustar (with its prefix field), GNU long names and long link names ('L', 'K'), and pax headers ('x' path and
// linkpath; 'g' is skipped).
import { closeSync, openSync, readSync } from "node:fs";

export interface TarHeaderEntry {
  name: string;
  /** the typeflag ('0' regular, '1' hard link, '2' symlink, '5' directory, ...) */
  type: string;
  linkname: string;
}

function cString(b: Buffer, off: number, len: number): string {
  const end = b.indexOf(0, off);
  return b.toString("latin1", off, end < 0 || end > off + len ? off + len : end);
}

function numeric(b: Buffer, off: number, len: number): number {
  if ((b[off]! & 0x80) !== 0) {
    // base-256 (GNU), big-endian
    let n = b[off]! & 0x7f;
    for (let i = 1; i < len; i++) n = n * 256 + b[off + i]!;
    return n;
  }
  const s = cString(b, off, len).trim();
  return s === "" ? 0 : parseInt(s, 8);
}

function paxRecords(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let off = 0;
  while (off < data.length) {
    const sp = data.indexOf(0x20, off);
    if (sp < 0) break;
    const len = Number(data.toString("latin1", off, sp));
    if (!Number.isInteger(len) || len <= 0) break;
    const rec = data.toString("latin1", sp + 1, off + len - 1);
    const eq = rec.indexOf("=");
    if (eq > 0) out.set(rec.slice(0, eq), Buffer.from(rec.slice(eq + 1), "latin1").toString("latin1"));
    off += len;
  }
  return out;
}

/** The members of the tar file at `path`, in archive order. Throws on a truncated or corrupt archive. */
export function tarFileHeaders(path: string): TarHeaderEntry[] {
  const fd = openSync(path, "r");
  try {
    const out: TarHeaderEntry[] = [];
    const h = Buffer.alloc(512);
    let pos = 0;
    let longName: string | undefined;
    let longLink: string | undefined;
    let pax = new Map<string, string>();
    const readAt = (buf: Buffer, at: number): number => readSync(fd, buf, 0, buf.length, at);
    for (;;) {
      const n = readAt(h, pos);
      if (n === 0) break;
      if (n < 512) throw new Error(`truncated tar header at byte ${pos}`);
      if (h.every((x) => x === 0)) break;
      const size = numeric(h, 124, 12);
      const type = String.fromCharCode(h[156]!) === "\0" ? "0" : String.fromCharCode(h[156]!);
      const dataAt = pos + 512;
      pos = dataAt + Math.ceil(size / 512) * 512;
      if (type === "L" || type === "K" || type === "x") {
        const data = Buffer.alloc(size);
        if (readAt(data, dataAt) < size) throw new Error(`truncated tar member at byte ${dataAt}`);
        if (type === "L") longName = cString(data, 0, size);
        else if (type === "K") longLink = cString(data, 0, size);
        else pax = paxRecords(data);
        continue;
      }
      if (type === "g") continue;
      const ustar = h.toString("latin1", 257, 262) === "ustar";
      const prefix = ustar ? cString(h, 345, 155) : "";
      const base = cString(h, 0, 100);
      const name = pax.get("path") ?? longName ?? (prefix !== "" ? `${prefix}/${base}` : base);
      const linkname = pax.get("linkpath") ?? longLink ?? cString(h, 157, 100);
      out.push({ name, type, linkname });
      longName = undefined;
      longLink = undefined;
      pax = new Map();
    }
    return out;
  } finally {
    closeSync(fd);
  }
}
