// The one place strata decompresses an archive. The format is chosen from the first bytes (magic numbers),
// never from the file name: a .deb's data.tar.xz or a user's .tgz are read the same way. gzip goes through
// node's zlib; zstd, xz and bzip2 through their command-line tools (standard Debian packages).
import { spawn } from "node:child_process";
import { createReadStream, openSync, readSync, closeSync } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";

export type Compression = "gzip" | "zstd" | "xz" | "bzip2" | "none";

const MAGICS: [Compression, number[]][] = [
  ["gzip", [0x1f, 0x8b]],
  ["zstd", [0x28, 0xb5, 0x2f, 0xfd]],
  ["xz", [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ["bzip2", [0x42, 0x5a, 0x68]],
];

/** The compression of data starting with `head` ("none" when no known magic matches). */
export function detectCompression(head: Uint8Array): Compression {
  for (const [c, magic] of MAGICS) if (magic.every((b, i) => head[i] === b)) return c;
  return "none";
}

function readHead(path: string): Buffer {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.alloc(8);
    const n = readSync(fd, buf, 0, 8, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

/** Decompressed bytes of a file or buffer, as a stream; `done` settles when the decompressor has finished. */
export function openDecompressed(source: string | Buffer): { stream: Readable; done: Promise<void>; compression: Compression } {
  const compression = detectCompression(typeof source === "string" ? readHead(source) : source.subarray(0, 8));
  const input = (): Readable => (typeof source === "string" ? createReadStream(source) : Readable.from([source]));
  if (compression === "none") return { stream: input(), done: Promise.resolve(), compression };
  if (compression === "gzip") {
    const gunzip = createGunzip();
    return { stream: gunzip, done: pipeline(input(), gunzip), compression };
  }
  const child = spawn(compression, ["-dc"], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${compression} -dc failed (exit ${code}): ${stderr.trim()}`))));
  });
  // the tool may exit before reading all input (corrupt data): its exit status is the error that matters
  const feeding = pipeline(input(), child.stdin).catch(() => undefined);
  return { stream: child.stdout, done: Promise.all([exited, feeding]).then(() => undefined), compression };
}

/** The whole decompressed content of a file or buffer. */
export async function decompress(source: string | Buffer): Promise<Buffer> {
  const { stream, done } = openDecompressed(source);
  const chunks: Buffer[] = [];
  const reading = (async () => {
    for await (const c of stream) chunks.push(c as Buffer);
  })();
  await Promise.all([reading, done]);
  return Buffer.concat(chunks);
}
