// squashfs with mksquashfs (squashfs-tools >= 4.4 writes reproducible images whatever the thread count): owners,
// modes, times and xattrs as in the layer; the filesystem's own time is SOURCE_DATE_EPOCH.
import { runTool } from "./tools.js";

export const SQUASHFS_COMPRESSORS = ["gzip", "zstd", "xz", "lz4", "lzo"] as const;
export type SquashfsCompressor = (typeof SQUASHFS_COMPRESSORS)[number];

export async function writeSquashfs(root: string, out: string, epoch: number, compressor: SquashfsCompressor): Promise<void> {
  await runTool({ tool: "mksquashfs", args: [root, out, "-noappend", "-no-progress", "-quiet", "-comp", compressor, "-mkfs-time", String(epoch), "-xattrs"] });
}
