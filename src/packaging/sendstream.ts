// A btrfs send stream of the layer's subvolume (full, or incremental against a parent layer that the receiver has).
// Not bit-identical across builds: it carries subvolume UUIDs and transaction ids. What it gives back is: receiving
// it yields the same tree (contents, modes, owners, times, xattrs); test/packaging checks exactly that.
import { compressorCall, type Compression } from "./compress.js";
import { runPipeline, type ToolCall } from "./tools.js";

export async function writeSendstream(root: string, parent: string | undefined, out: string, compression: Compression, level: number | undefined): Promise<void> {
  const send: ToolCall = { tool: "btrfs", args: ["send", "--quiet", ...(parent !== undefined ? ["-p", parent] : []), root] };
  if (compression === "none") await runPipeline([{ ...send, stdoutFile: out }]);
  else await runPipeline([send, { ...compressorCall(compression, level), stdoutFile: out }]);
}
