// The package.sendstream format: a btrfs send stream of the layer's subvolume (full, or incremental against a parent
// layer that the receiver has). Not bit-identical across builds: it carries subvolume UUIDs and transaction ids.
// What it gives back is: receiving it yields the same tree (contents, modes, owners, times, xattrs); test/packaging
// checks exactly that. (Reading the changes a send stream reports is send-changes.ts.)
import { compressorCall, type Compression } from "./compress.js";
import { runPipeline, type ToolCall } from "./tools.js";
import { StrataError } from "../errors.js";
import { isRootless } from "../storage/userns.js";
import { sendable } from "./sendable.js";

export async function writeSendstream(root: string, parent: string | undefined, out: string, compression: Compression, level: number | undefined, label = "strata"): Promise<void> {
  if (!(await sendable(root, ...(parent !== undefined ? [parent] : [])))) {
    throw new StrataError({
      label,
      message: "a btrfs send stream needs the layer (and its parent) as btrfs subvolumes, and root: btrfs send is for CAP_SYS_ADMIN only",
      expected: "a root build on a btrfs working volume",
      found: isRootless() ? "a rootless build (uid 0 of a user namespace)" : "a layer stored as a plain directory (the copy backend)",
      notes: ["build this package as root, or use package.tar / package.oci, which carry the same tree"],
    });
  }
  const send: ToolCall = { tool: "btrfs", args: ["send", "--quiet", ...(parent !== undefined ? ["-p", parent] : []), root] };
  if (compression === "none") await runPipeline([{ ...send, stdoutFile: out }]);
  else await runPipeline([send, { ...compressorCall(compression, level), stdoutFile: out }]);
}
