// Before a run: the command, its `#!` interpreter and its ELF loader must exist in the image. Without this check
// the kernel's ENOENT for a missing interpreter reaches the user as bwrap's "execvp <script>: No such file or
// directory", which names the script that is there, not the interpreter that is not.
import { closeSync, constants, openSync, readSync } from "node:fs";
import { StrataError } from "../errors.js";
import { ImagePathError, dirPrefix, isValidImagePath, normalizeImagePath } from "../image/path.js";
import { lstatOrNull, resolveInImage } from "../image/resolve.js";

export interface CommandCheck {
  root: string;
  argv: string[];
  /** read-only binds: their image paths are files of the host, not of the image */
  binds: { host: string; image: string }[];
  /** mountpoints of other layers (resolved image paths): what lies below them is not checked */
  mounts: string[];
  /** the container's PATH */
  path: string;
  label: string;
}

const HINT = "give the layer what the command needs (a shell comes with //base:shell), or run a static binary";

const UNCHECKED = "";

/**
 * host file behind an image path (through the image's own links, or a bind), null when it is not a file there,
 * UNCHECKED when it lies in another layer mounted into this one
 */
function findFile(c: CommandCheck, imagePath: string): string | null {
  let resolved: string;
  let host: string;
  try {
    const r = resolveInImage(c.root, imagePath, true);
    resolved = r.imagePath;
    host = r.hostPath;
  } catch (e) {
    if (e instanceof ImagePathError) return null;
    throw e;
  }
  if (c.mounts.some((m) => resolved === m || resolved.startsWith(dirPrefix(m)))) return UNCHECKED;
  const bind = c.binds.find((b) => b.image === resolved);
  if (bind !== undefined) return bind.host;
  const st = lstatOrNull(host);
  return st !== null && !st.isDirectory() ? host : null;
}

function readHead(host: string, bytes: number, position = 0): Buffer {
  let fd: number;
  try {
    // reading must not move an atime of the image
    fd = openSync(host, constants.O_RDONLY | constants.O_NOATIME);
  } catch {
    fd = openSync(host, constants.O_RDONLY);
  }
  try {
    const buf = Buffer.alloc(bytes);
    const n = readSync(fd, buf, 0, bytes, position);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** the `#!` interpreter of a script, or undefined */
function shebang(head: Buffer): string | undefined {
  if (head[0] !== 0x23 || head[1] !== 0x21) return undefined;
  const line = head.subarray(2).toString("latin1").split("\n")[0]!.trim();
  return line.split(/[ \t]/)[0] || undefined;
}

/** the program interpreter (dynamic loader) an ELF executable names, or undefined (static, or not ELF) */
export function elfInterpreter(host: string): string | undefined {
  const h = readHead(host, 64);
  if (h.length < 52 || h.readUInt32BE(0) !== 0x7f454c46) return undefined;
  const is64 = h[4] === 2;
  const le = h[5] === 1;
  const u16 = (b: Buffer, o: number): number => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (b: Buffer, o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const u64 = (b: Buffer, o: number): number => Number(le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o));
  if (is64 && h.length < 64) return undefined;
  const phoff = is64 ? u64(h, 0x20) : u32(h, 0x1c);
  const phentsize = u16(h, is64 ? 0x36 : 0x2a);
  const phnum = u16(h, is64 ? 0x38 : 0x2c);
  if (phnum === 0 || phentsize === 0 || phnum > 256) return undefined;
  const ph = readHead(host, phentsize * phnum, phoff);
  for (let i = 0; i < phnum && (i + 1) * phentsize <= ph.length; i++) {
    const e = ph.subarray(i * phentsize, (i + 1) * phentsize);
    if (u32(e, 0) !== 3) continue; // PT_INTERP
    const offset = is64 ? u64(e, 8) : u32(e, 4);
    const size = is64 ? u64(e, 0x20) : u32(e, 16);
    if (size === 0 || size > 4096) return undefined;
    return readHead(host, size, offset).toString("latin1").replace(/\0.*$/s, "");
  }
  return undefined;
}

function missing(c: CommandCheck, message: string): StrataError {
  return new StrataError({ label: c.label, message, expected: "the program and everything it needs to start, inside the layer", found: "not in the layer", notes: [HINT] });
}

/** throws a StrataError naming what is missing from the image when argv[0] could not start there */
export function checkCommand(c: CommandCheck): void {
  const cmd = c.argv[0]!;
  let imagePath: string;
  let host: string | null;
  if (cmd.includes("/")) {
    if (!cmd.startsWith("/") || !isValidImagePath(cmd)) return;
    imagePath = normalizeImagePath(cmd);
    host = findFile(c, imagePath);
    if (host === null) throw missing(c, `cannot run ${cmd}: it is missing from the layer`);
  } else {
    const dirs = c.path.split(":").filter((d) => d.startsWith("/") && isValidImagePath(d));
    const found = dirs.map((d) => normalizeImagePath(`${d}/${cmd}`)).map((p) => ({ p, host: findFile(c, p) })).find((x) => x.host !== null);
    if (found === undefined) throw missing(c, `cannot run ${cmd}: it is in none of the layer's PATH directories (${c.path})`);
    imagePath = found.p;
    host = found.host;
  }
  if (host === UNCHECKED) return;
  let head: Buffer;
  try {
    head = readHead(host!, 256);
  } catch {
    return; // unreadable here (a directory, a permission): let the run itself report it
  }
  const interp = shebang(head);
  if (interp !== undefined) {
    if (interp.startsWith("/") && isValidImagePath(interp) && findFile(c, normalizeImagePath(interp)) === null) {
      throw missing(c, `cannot run ${imagePath}: its interpreter ${interp} (from its #! line) is missing from the layer`);
    }
    return;
  }
  const loader = elfInterpreter(host!);
  if (loader !== undefined && loader.startsWith("/") && isValidImagePath(loader) && findFile(c, normalizeImagePath(loader)) === null) {
    throw missing(c, `cannot run ${imagePath}: its dynamic loader ${loader} is missing from the layer`);
  }
}
