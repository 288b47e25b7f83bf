// cpio, "newc" format (what the kernel unpacks as an initramfs), with GNU cpio: entries sorted by their byte
// strings, `.` (the root directory) first, inode and device numbers renumbered (--reproducible), numeric owners.
// newc has no xattrs; file times are the layer's (strata sets them to SOURCE_DATE_EPOCH when it writes a path).
import { lstatSync, readdirSync, writeFileSync } from "node:fs";
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
  if (compression === "none") await runPipeline([{ ...cpio, stdoutFile: out }]);
  else await runPipeline([cpio, { ...compressorCall(compression, level), stdoutFile: out }]);
}
