// ext4 with mke2fs -d. e2fsprogs before 1.47.1 copies each file's ctime and atime from the source tree and stamps
// crtime with the wall clock, so two builds of the same layer differ (bookworm has 1.47.0). strata makes the image
// reproducible itself: a fixed feature set from its own mke2fs.conf (not the host's /etc/mke2fs.conf), a UUID and
// directory hash seed derived from the target and its options, E2FSPROGS_FAKE_TIME for the superblock times, and a
// debugfs pass that sets atime, ctime and crtime of every used inode to SOURCE_DATE_EPOCH (and the mtime of the
// inodes mke2fs made itself), and a last pass over the superblocks that sets their times (mke2fs 1.47.0 and debugfs
// write the wall clock there) and their checksums.
import { createHash } from "node:crypto";
import { closeSync, lstatSync, openSync, readSync, readdirSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { StrataError } from "../errors.js";
import { runTool, ToolFailure } from "./tools.js";

const BLOCK = 4096;
const INODE_SIZE = 256;
const MiB = 1024 * 1024;

const MKE2FS_CONF = `[defaults]
	base_features = sparse_super,large_file,filetype,resize_inode,dir_index,ext_attr
	default_mntopts = acl,user_xattr
	blocksize = ${BLOCK}
	inode_size = ${INODE_SIZE}
	inode_ratio = 16384
	lazy_itable_init = false
	lazy_journal_init = false

[fs_types]
	ext4 = {
		features = has_journal,extent,huge_file,flex_bg,metadata_csum,64bit,dir_nlink,extra_isize
	}
`;

export interface Ext4Options {
  /** fixed image size in MiB; computed from the tree when absent */
  sizeMb?: number;
  /** free space to leave beyond the tree when the size is computed, in MiB */
  freeMb: number;
  /** filesystem label (at most 16 bytes) */
  fsLabel?: string;
}

interface TreeSize {
  blocks: number;
  inodes: number;
}

function measure(root: string): TreeSize {
  let blocks = 0;
  let inodes = 1;
  const fsPath = (latin1: string) => Buffer.from(latin1, "latin1") as unknown as string;
  const visit = (dir: string) => {
    const names = readdirSync(fsPath(dir), { encoding: "buffer" });
    // a directory entry takes 8 bytes plus its name rounded up to 4; an htree needs some slack
    const dirBytes = names.reduce((s, n) => s + 8 + Math.ceil(n.length / 4) * 4, 24);
    blocks += Math.ceil((dirBytes * 1.3) / BLOCK);
    for (const n of names) {
      const p = join(dir, n.toString("latin1"));
      const st = lstatSync(fsPath(p));
      inodes += 1;
      if (st.isDirectory()) visit(p);
      else if (st.isFile()) blocks += Math.ceil(st.size / BLOCK) + (st.size > 48 * BLOCK ? Math.ceil(st.size / (BLOCK * 340)) : 0);
      else if (st.isSymbolicLink() && st.size >= 60) blocks += 1;
    }
  };
  visit(root);
  return { blocks, inodes };
}

/** a UUID (RFC 4122 form, version 4 bits set) from a sha256 of what identifies the image */
export function derivedUuid(seed: string): string {
  const h = createHash("sha256").update(seed).digest();
  h[6] = (h[6]! & 0x0f) | 0x40;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

function usedInodes(dumpe2fs: string): number[] {
  const perGroup = Number(/Inodes per group:\s+(\d+)/.exec(dumpe2fs)?.[1]);
  const used: number[] = [];
  let group = -1;
  for (const line of dumpe2fs.split("\n")) {
    if (/^Group \d+:/.test(line)) group = Number(/^Group (\d+):/.exec(line)![1]);
    const m = /^\s+Free inodes: ?(.*)$/.exec(line);
    if (m === null || group < 0) continue;
    const free = new Set<number>();
    for (const r of m[1]!.split(",").map((s) => s.trim()).filter(Boolean)) {
      const [a, b] = r.split("-").map(Number);
      for (let i = a!; i <= (b ?? a!); i++) free.add(i);
    }
    for (let i = group * perGroup + 1; i <= (group + 1) * perGroup; i++) if (!free.has(i)) used.push(i);
  }
  return used;
}

export async function writeExt4(root: string, out: string, scratch: string, epoch: number, opts: Ext4Options, label: string): Promise<void> {
  // a fixed size leaves the inode count and journal size to mke2fs (from the size: still deterministic), and saves a walk
  const tree = opts.sizeMb === undefined ? measure(root) : undefined;
  if (tree === undefined) return makeExt4(root, out, scratch, epoch, opts, label, { sizeMb: opts.sizeMb!, args: [] });
  const inodeCount = Math.max(256, Math.ceil(tree.inodes * 1.1) + 64);
  // metadata: inode tables, the journal, bitmaps, group descriptors
  const needBytes = tree.blocks * BLOCK * 1.05 + inodeCount * INODE_SIZE + 6 * MiB;
  const journalMb = needBytes < 128 * MiB ? 4 : needBytes < 1024 * MiB ? 16 : 64;
  const sizeMb = Math.ceil(needBytes / MiB) + journalMb + opts.freeMb;
  return makeExt4(root, out, scratch, epoch, opts, label, { sizeMb, args: ["-N", String(inodeCount), "-J", `size=${journalMb}`] });
}

async function makeExt4(root: string, out: string, scratch: string, epoch: number, opts: Ext4Options, label: string, size: { sizeMb: number; args: string[] }): Promise<void> {
  const sizeMb = size.sizeMb;
  const conf = join(scratch, "mke2fs.conf");
  writeFileSync(conf, MKE2FS_CONF);
  const uuid = derivedUuid(`strata ext4\0${label}\0${epoch}\0${sizeMb}\0${opts.fsLabel ?? ""}`);
  const env = { MKE2FS_CONFIG: conf, E2FSPROGS_FAKE_TIME: String(epoch) };
  try {
    await runTool({
      tool: "mkfs.ext4",
      args: ["-F", "-q", "-t", "ext4", ...size.args, "-U", uuid, "-E", `hash_seed=${uuid}`, ...(opts.fsLabel ? ["-L", opts.fsLabel] : []), "-d", root, out, `${sizeMb}M`],
      env,
    });
  } catch (e) {
    if (e instanceof ToolFailure && /Could not allocate|No space left|Could not write|too small|not enough space/i.test(e.stderr)) {
      const need = measure(root);
      throw new StrataError({
        label,
        message: `the layer does not fit in an ext4 image of ${sizeMb} MiB`,
        expected: "a larger size_mb, or no size_mb (computed from the tree)",
        found: `size_mb = ${sizeMb}; the tree has ${need.inodes} paths and about ${Math.ceil((need.blocks * BLOCK) / MiB)} MiB of data`,
      });
    }
    throw e;
  }
  const dump = (await runTool({ tool: "dumpe2fs", args: [out], env })).toString("utf8");
  const rootMtime = Math.floor(lstatSync(root).mtimeMs / 1000);
  const script = usedInodes(dump)
    .map((i) => {
      const fields = ["atime", "ctime", "crtime"];
      // inodes mke2fs made itself (reserved ones, lost+found) carry its clock; the root directory is the layer's
      const mtime = i === 2 ? `sif <2> mtime @${rootMtime}\n` : i <= 11 ? `sif <${i}> mtime @${epoch}\n` : "";
      // debugfs sets a time's whole extra field (epoch bits and nanoseconds) with it
      return mtime + fields.map((f) => `sif <${i}> ${f} @${epoch}\n`).join("");
    })
    .join("");
  const scriptFile = join(scratch, "retime.debugfs");
  writeFileSync(scriptFile, script);
  await runTool({ tool: "debugfs", args: ["-w", "-f", scriptFile, out], env });
  fixSuperblockTimes(out, epoch);
}

const CRC32C_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();

/** crc32c as ext4 stores it: seed ~0, no final inversion */
function ext4Crc32c(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC32C_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return c >>> 0;
}

// superblock field offsets (ext4 on-disk format)
const SB = { mtime: 0x2c, wtime: 0x30, lastcheck: 0x40, mkfsTime: 0x108, blocksCount: 0x04, blocksPerGroup: 0x20, logBlockSize: 0x18, features_ro: 0x64, checksum: 0x3fc };
const SB_HI = [0x274, 0x275, 0x276, 0x277];

function isBackupGroup(g: number): boolean {
  if (g <= 1) return true;
  for (const base of [3, 5, 7]) {
    let p = base;
    while (p < g) p *= base;
    if (p === g) return true;
  }
  return false;
}

/** sets the superblock times of the primary superblock and every backup to `epoch`, and their checksums */
function fixSuperblockTimes(image: string, epoch: number): void {
  const fd = openSync(image, "r+");
  try {
    const primary = Buffer.alloc(1024);
    readSync(fd, primary, 0, 1024, 1024);
    const blockSize = 1024 << primary.readUInt32LE(SB.logBlockSize);
    const blocksPerGroup = primary.readUInt32LE(SB.blocksPerGroup);
    const groups = Math.ceil(primary.readUInt32LE(SB.blocksCount) / blocksPerGroup);
    const sparse = (primary.readUInt32LE(SB.features_ro) & 0x1) !== 0;
    for (let g = 0; g < groups; g++) {
      if (g > 0 && sparse && !isBackupGroup(g)) continue;
      const at = g === 0 ? 1024 : g * blocksPerGroup * blockSize + (blockSize === 1024 ? 1024 : 0);
      const sb = Buffer.alloc(1024);
      readSync(fd, sb, 0, 1024, at);
      if (sb.readUInt16LE(0x38) !== 0xef53) continue;
      for (const f of [SB.mtime, SB.wtime, SB.lastcheck, SB.mkfsTime]) sb.writeUInt32LE(epoch % 2 ** 32, f);
      for (const f of SB_HI) sb.writeUInt8(Math.floor(epoch / 2 ** 32), f);
      sb.writeUInt32LE(ext4Crc32c(sb.subarray(0, SB.checksum)), SB.checksum);
      writeSync(fd, sb, 0, 1024, at);
    }
  } finally {
    closeSync(fd);
  }
}
