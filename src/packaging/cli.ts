// `strata package FORMAT`: turns a published layer into a file or directory that leaves the machine. Buck2's
// package.* rules run it as one action per output (rules/private/package/); every format writes its output atomically.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { ArgumentsCamelCase, Argv, CommandModule } from "yargs";
import { packagingEpoch } from "./epoch.js";
import { StrataError } from "../errors.js";
import { DEFAULT_LEVEL, type Compression } from "./compress.js";
import { layerTree } from "./layer.js";
import { SQUASHFS_COMPRESSORS, type SquashfsCompressor } from "./squashfs.js";

export const FORMATS = [
  "tar",
  "tar.gz",
  "tar.zst",
  "cpio",
  "cpio.gz",
  "cpio.zst",
  "squashfs",
  "ext4",
  "sendstream",
  "sendstream.zst",
  "layer-diff",
  "layer-blob",
  "layer-blob.gz",
  "layer-blob.zst",
  "oci",
  "oci-archive",
] as const;
export type Format = (typeof FORMATS)[number];

interface PackageArgs {
  format: string;
  label: string;
  out: string;
  layer?: string;
  parent?: string;
  compressionLevel?: number;
  compressor: string;
  sizeMb?: number;
  freeMb: number;
  fsLabel?: string;
  diff?: string;
  descriptorOut?: string;
  blob: string[];
  descriptor: string[];
  config?: string;
  layout?: string;
  appliance?: string;
}

function compressionOf(format: string): Compression {
  return format.endsWith(".gz") ? "gzip" : format.endsWith(".zst") ? "zstd" : "none";
}

function need<T>(v: T | undefined, flag: string, format: string, label: string): T {
  if (v === undefined) throw new StrataError({ label, message: `\`strata package ${format}\` needs --${flag}` });
  return v;
}

function checkLevel(c: Compression, level: number | undefined, label: string): void {
  if (level === undefined || c === "none") return;
  const [lo, hi] = c === "gzip" ? [1, 9] : [1, 19];
  if (!Number.isInteger(level) || level < lo || level > hi) {
    throw new StrataError({ label, message: `compression_level ${level} is out of range for ${c}`, expected: `an integer from ${lo} to ${hi} (default ${DEFAULT_LEVEL[c]})`, found: String(level) });
  }
}

export async function runPackage(a: PackageArgs): Promise<void> {
  if (a.appliance === undefined) return packageWith(a);
  // the tools (tar, cpio, the compressors, mksquashfs, mke2fs, debugfs) come from the flavor's build appliance; they
  // see the layer trees read-only and the output's directory (its temporary and scratch siblings) writable
  const { applianceTree } = await import("../isolation/appliance.js");
  const { withAppliance } = await import("./tools.js");
  const appliance = applianceTree(a.appliance, a.label);
  const ro = [a.layer !== undefined ? layerTree(a.layer, a.label) : undefined, a.parent !== undefined ? layerTree(a.parent, a.label, "parent layer") : undefined].filter((p): p is string => p !== undefined);
  const outDir = dirname(resolve(a.out));
  mkdirSync(outDir, { recursive: true });
  return withAppliance({ appliance, ro, rw: [outDir], label: a.label }, () => packageWith(a));
}

async function packageWith(a: PackageArgs): Promise<void> {
  const label = a.label;
  if (!(FORMATS as readonly string[]).includes(a.format)) {
    throw new StrataError({ label, message: `unknown package format "${a.format}"`, expected: `one of ${FORMATS.join(", ")}`, found: JSON.stringify(a.format) });
  }
  const format = a.format as Format;
  const compression = compressionOf(format);
  checkLevel(compression, a.compressionLevel, label);
  const epoch = packagingEpoch(label);
  const { writeOutput } = await import("./output.js");
  const layer = () => layerTree(need(a.layer, "layer", format, label), label);
  const parent = () => (a.parent !== undefined ? layerTree(a.parent, label, "parent layer") : undefined);

  switch (format) {
    case "tar":
    case "tar.gz":
    case "tar.zst": {
      const { writeTreeTar } = await import("./tar.js");
      const root = layer();
      return writeOutput(a.out, (tmp) => writeTreeTar(root, tmp, epoch, compression, a.compressionLevel));
    }
    case "cpio":
    case "cpio.gz":
    case "cpio.zst": {
      const { writeCpio } = await import("./cpio.js");
      const root = layer();
      return writeOutput(a.out, (tmp, scratch) => writeCpio(root, tmp, scratch, compression, a.compressionLevel, label));
    }
    case "squashfs": {
      if (!(SQUASHFS_COMPRESSORS as readonly string[]).includes(a.compressor)) {
        throw new StrataError({ label, message: `unknown squashfs compressor "${a.compressor}"`, expected: `one of ${SQUASHFS_COMPRESSORS.join(", ")}` });
      }
      const { writeSquashfs } = await import("./squashfs.js");
      const root = layer();
      return writeOutput(a.out, (tmp) => writeSquashfs(root, tmp, epoch, a.compressor as SquashfsCompressor));
    }
    case "ext4": {
      const { writeExt4 } = await import("./ext4.js");
      if (a.sizeMb !== undefined && (!Number.isInteger(a.sizeMb) || a.sizeMb < 1)) {
        throw new StrataError({ label, message: "size_mb must be a positive number of MiB", found: String(a.sizeMb) });
      }
      if (!Number.isInteger(a.freeMb) || a.freeMb < 0) throw new StrataError({ label, message: "free_mb must be a non-negative number of MiB", found: String(a.freeMb) });
      if (a.fsLabel !== undefined && Buffer.byteLength(a.fsLabel) > 16) {
        throw new StrataError({ label, message: "an ext4 label holds at most 16 bytes", found: JSON.stringify(a.fsLabel) });
      }
      const root = layer();
      return writeOutput(a.out, (tmp, scratch) => writeExt4(root, tmp, scratch, epoch, { sizeMb: a.sizeMb, freeMb: a.freeMb, fsLabel: a.fsLabel }, label));
    }
    case "sendstream":
    case "sendstream.zst": {
      const { writeSendstream } = await import("./sendstream.js");
      const root = layer();
      const p = parent();
      return writeOutput(a.out, (tmp) => writeSendstream(root, p, tmp, compression, a.compressionLevel, label));
    }
    case "layer-diff": {
      const { computeDiff, writeDiffTar } = await import("./diff.js");
      const root = layer();
      const p = parent();
      await writeOutput(a.out, async (tmp, scratch) => {
        const diff = await computeDiff(root, p, label);
        await writeDiffTar(root, diff, tmp, scratch, epoch);
      });
      return;
    }
    case "layer-blob":
    case "layer-blob.gz":
    case "layer-blob.zst": {
      const { writeLayerBlob } = await import("./oci.js");
      const diff = need(a.diff, "diff", format, label);
      const descOut = need(a.descriptorOut, "descriptor-out", format, label);
      const desc = await writeOutput(a.out, (tmp) => writeLayerBlob(diff, tmp, compression, a.compressionLevel, label));
      await writeOutput(descOut, async (tmp) => writeFileSync(tmp, JSON.stringify(desc) + "\n"));
      return;
    }
    case "oci": {
      const { blobDescriptorSchema, checkConfig, imageConfigSchema, writeOciLayout } = await import("./oci.js");
      if (a.blob.length !== a.descriptor.length) throw new StrataError({ label, message: "every --blob needs its --descriptor" });
      const blobs = a.blob.map((file, i) => ({ file, desc: blobDescriptorSchema.parse(JSON.parse(readFileSync(a.descriptor[i]!, "utf8"))) }));
      const parsed = imageConfigSchema.safeParse(JSON.parse(readFileSync(need(a.config, "config", format, label), "utf8")));
      if (!parsed.success) throw new StrataError({ label, message: "bad image config", found: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") });
      checkConfig(parsed.data, label);
      await writeOutput(a.out, async (tmp) => void writeOciLayout(tmp, blobs, parsed.data, epoch));
      return;
    }
    case "oci-archive": {
      const { writeLayoutArchive } = await import("./oci.js");
      const layout = need(a.layout, "layout", format, label);
      return writeOutput(a.out, (tmp) => writeLayoutArchive(layout, tmp, epoch));
    }
  }
}

export const packageCommand: CommandModule<object, PackageArgs> = {
  command: "package <format>",
  builder: (y: Argv) =>
    y
      .positional("format", { type: "string", demandOption: true, describe: `one of ${FORMATS.join(", ")}` })
      .option("label", { type: "string", demandOption: true, describe: "Buck2 label of the package target (for messages)" })
      .option("out", { type: "string", demandOption: true, describe: "the file (directory for oci) to write" })
      .option("layer", { type: "string", describe: "the layer's output symlink" })
      .option("parent", { type: "string", describe: "sendstream: the parent layer of an incremental stream; layer-diff: the layer's parent" })
      .option("compression-level", { type: "number" })
      .option("compressor", { type: "string", default: "gzip", describe: "squashfs compressor" })
      .option("size-mb", { type: "number", describe: "ext4: fixed image size in MiB (default: computed from the tree)" })
      .option("free-mb", { type: "number", default: 0, describe: "ext4: free space beyond the tree when the size is computed" })
      .option("fs-label", { type: "string", describe: "ext4: filesystem label" })
      .option("diff", { type: "string", describe: "layer-blob: the layer-diff tar" })
      .option("descriptor-out", { type: "string", describe: "layer-blob: where to write the blob's descriptor (JSON)" })
      .option("blob", { type: "string", array: true, default: [], describe: "oci: a layer blob, parent first" })
      .option("descriptor", { type: "string", array: true, default: [], describe: "oci: each blob's descriptor, in the same order" })
      .option("config", { type: "string", describe: "oci: the image config attributes (JSON)" })
      .option("layout", { type: "string", describe: "oci-archive: the OCI layout directory" })
      .option("appliance", { type: "string", describe: "the build appliance layer's output: run the packaging tools from it instead of the host" }) as unknown as Argv<PackageArgs>,
  handler: async (argv: ArgumentsCamelCase<PackageArgs>) => {
    try {
      await runPackage(argv);
    } catch (e) {
      const { ToolFailure } = await import("./tools.js");
      if (e instanceof ToolFailure) throw new StrataError({ label: argv.label, message: `packaging as ${argv.format} failed`, found: e.message });
      throw e;
    }
  },
};
