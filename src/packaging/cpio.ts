// cpio, "newc" format (what the kernel unpacks as an initramfs), with GNU cpio: entries sorted by their byte
// strings, `.` (the root directory) first, inode and device numbers renumbered (--reproducible), numeric owners.
// newc has no xattrs; file times are the layer's (strata sets them to SOURCE_DATE_EPOCH when it writes a path).
import { closeSync, fstatSync, lstatSync, openSync, readSync, readdirSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { StrataError } from "../errors.js";
import { compressorCall, type Compression } from "./compress.js";
import { runPipeline, type ToolCall } from "./tools.js";

const NEWC_MAX_SIZE = 0xffffffff;

function walk(root: string, label: string): string[] {
  const out: string[] = ["."];
  const tooBig: string[] = [];
  const visit = (rel: string) => {
    const names = readdirSync(Buffer.from(join(root, rel), "latin1") as unknown as string, { encoding: "buffer" }).sort(Buffer.compare);
    for (const n of names) {
      const child = `${rel}/${n.toString("latin1")}`;
      out.push(child);
      const st = lstatSync(Buffer.from(join(root, child), "latin1") as unknown as string);
      if (st.isFile() && st.size > NEWC_MAX_SIZE) tooBig.push(child.slice(1));
      if (st.isDirectory()) visit(child);
    }
  };
  visit(".");
  if (tooBig.length > 0) {
    throw new StrataError({ label, message: "the layer holds a file too large for a newc cpio archive", expected: "files of at most 4 GiB - 1 byte", found: tooBig.slice(0, 5).join(", ") });
  }
  return out;
}

export async function writeCpio(root: string, out: string, scratch: string, compression: Compression, level: number | undefined, label: string): Promise<void> {
  const list = join(scratch, "cpio-list");
  writeFileSync(list, Buffer.from(walk(root, label).map((p) => p + "\0").join(""), "latin1"));
  const cpio: ToolCall = { tool: "cpio", args: ["--create", "--format=newc", "--null", "--reproducible", "--quiet"], cwd: root, stdinFile: list };
  const raw = compression === "none" ? out : join(scratch, "archive.cpio");
  await runPipeline([{ ...cpio, stdoutFile: raw }]);
  oneLinkPerDirectory(raw);
  if (compression !== "none") await runPipeline([{ ...compressorCall(compression, level), stdinFile: raw, stdoutFile: out }]);
}

const NEWC_HEADER = 110;
const FIELD = (i: number): number => 6 + 8 * i;

/**
 * A directory's link count says which filesystem held the layer (btrfs: 1, ext4: 2 + its subdirectories), not
 * what the image is: every directory gets 1, as on btrfs, so a build on any working volume gives the same bytes.
 */
function oneLinkPerDirectory(file: string): void {
  const fd = openSync(file, "r+");
  try {
    const size = fstatSync(fd).size;
    const header = Buffer.alloc(NEWC_HEADER);
    let pos = 0;
    while (pos + NEWC_HEADER <= size) {
      readSync(fd, header, 0, NEWC_HEADER, pos);
      if (header.toString("latin1", 0, 6) !== "070701") throw new Error(`not a newc cpio header at byte ${pos} of ${file}`);
      const hex = (i: number): number => parseInt(header.toString("latin1", FIELD(i), FIELD(i) + 8), 16);
      const [mode, fileSize, nameSize] = [hex(1), hex(6), hex(11)];
      if ((mode & 0o170000) === 0o040000) writeSync(fd, Buffer.from("00000001", "latin1"), 0, 8, pos + FIELD(4));
      const name = Buffer.alloc(nameSize);
      readSync(fd, name, 0, nameSize, pos + NEWC_HEADER);
      pos += align4(NEWC_HEADER + nameSize) + align4(fileSize);
      if (name.toString("latin1", 0, nameSize - 1) === "TRAILER!!!") break;
    }
  } finally {
    closeSync(fd);
  }
}

const align4 = (n: number): number => (n + 3) & ~3;
