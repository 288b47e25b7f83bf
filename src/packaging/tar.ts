// Reproducible tar archives with GNU tar: pax format (long names, xattrs such as file capabilities), entries in a
// fixed order, numeric owners, mtimes clamped to SOURCE_DATE_EPOCH, no atime/ctime records, and extended header
// names without the process id GNU tar puts there by default.
import { writeFileSync } from "node:fs";
import { compressorCall, type Compression } from "./compress.js";
import { runPipeline, runTool, type ToolCall } from "./tools.js";

/** `epoch` undefined: every mtime as it is (the portable diffs of phases, which must give back the same tree) */
export function reproducibleTarArgs(epoch: number | undefined): string[] {
  return [
    "--format=pax",
    "--numeric-owner",
    ...(epoch === undefined ? [] : [`--mtime=@${epoch}`, "--clamp-mtime"]),
    "--xattrs",
    "--xattrs-include=*",
    "--pax-option=exthdr.name=%d/PaxHeaders/%f,globexthdr.name=/tmp/GlobalHead.0,delete=atime,delete=ctime",
  ];
}

/** the whole tree under `root`, entries named `./...`, each directory's entries sorted by name */
export function tarTreeCall(root: string, epoch: number, outFile?: string): ToolCall {
  return { tool: "tar", args: ["--create", "--file=-", ...reproducibleTarArgs(epoch), "--sort=name", "--directory", root, "."], stdoutFile: outFile };
}

/** a tar of the whole tree, compressed or not, written to `out` */
export async function writeTreeTar(root: string, out: string, epoch: number, compression: Compression, level?: number): Promise<void> {
  if (compression === "none") {
    await runTool(tarTreeCall(root, epoch, out));
    return;
  }
  await runPipeline([tarTreeCall(root, epoch), { ...compressorCall(compression, level), stdoutFile: out }]);
}

/**
 * Writes exactly `entries` (paths relative to `root`, latin1 byte strings), in the order given, without recursing
 * into directories, to `out`; with `append`, after what `out` already holds.
 */
export async function tarEntries(root: string, entries: string[], out: string, listFile: string, epoch: number | undefined, opts: { append?: boolean; owner0?: boolean; blockingFactor?: number } = {}): Promise<void> {
  writeFileSync(listFile, Buffer.from(entries.map((e) => e + "\0").join(""), "latin1"));
  const owner = opts.owner0 === true ? ["--owner=0", "--group=0"] : [];
  const blocking = opts.blockingFactor !== undefined ? [`--blocking-factor=${opts.blockingFactor}`] : [];
  await runTool({
    tool: "tar",
    args: ["--create", "--file=-", ...reproducibleTarArgs(epoch), ...owner, ...blocking, "--no-recursion", "--directory", root, "--null", "--verbatim-files-from", `--files-from=${listFile}`],
    stdoutFile: out,
    stdoutAppend: opts.append === true,
  });
}
