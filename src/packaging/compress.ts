// Compressors with fixed settings: the same input gives the same bytes whatever the host's core count
// (pigz and multi-threaded zstd produce output independent of the number of threads).
import type { ToolCall } from "./tools.js";
import { runTool } from "./tools.js";

export type Compression = "none" | "gzip" | "zstd";

export const DEFAULT_LEVEL: Record<Exclude<Compression, "none">, number> = { gzip: 6, zstd: 3 };

export function compressorCall(c: Exclude<Compression, "none"> | Compression, level?: number): ToolCall {
  if (c === "gzip") return { tool: "pigz", args: ["--no-name", `-${level ?? DEFAULT_LEVEL.gzip}`, "--stdout"] };
  if (c === "zstd") return { tool: "zstd", args: ["-q", `-${level ?? DEFAULT_LEVEL.zstd}`, "-T0", "--no-progress", "--stdout"] };
  throw new Error(`no compressor for ${c}`);
}

export async function compressFile(input: string, out: string, c: Exclude<Compression, "none">, level?: number): Promise<void> {
  await runTool({ ...compressorCall(c, level), stdinFile: input, stdoutFile: out });
}

export const EXTENSION: Record<Compression, string> = { none: "", gzip: ".gz", zstd: ".zst" };
