// OCI image layout (image-spec v1.1): one layer blob per image.layer of the parent chain (the layer's diff tar,
// compressed), an image config from the package's attributes, a manifest, and index.json naming it. Everything is
// content-addressed and written with sorted keys, so the same layers and attributes give the same bytes; `created`
// and the history times are SOURCE_DATE_EPOCH.
import { createHash } from "node:crypto";
import { constants, copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { StrataError } from "../errors.js";
import { compressFile, type Compression } from "./compress.js";
import { sha256File } from "./diff.js";
import { reproducibleTarArgs } from "./tar.js";
import { runTool } from "./tools.js";

export const MEDIA = {
  manifest: "application/vnd.oci.image.manifest.v1+json",
  index: "application/vnd.oci.image.index.v1+json",
  config: "application/vnd.oci.image.config.v1+json",
  layer: { none: "application/vnd.oci.image.layer.v1.tar", gzip: "application/vnd.oci.image.layer.v1.tar+gzip", zstd: "application/vnd.oci.image.layer.v1.tar+zstd" },
} as const;

export const blobDescriptorSchema = z.strictObject({
  mediaType: z.string(),
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
  diff_id: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  label: z.string(),
});
export type BlobDescriptor = z.infer<typeof blobDescriptorSchema>;

/** the compressed layer blob of a diff tar, and its descriptor (digest, size, diff_id) */
export async function writeLayerBlob(diffTar: string, blobOut: string, compression: Compression, level: number | undefined, label: string): Promise<BlobDescriptor> {
  const diffId = await sha256File(diffTar);
  if (compression === "none") copyFileSync(diffTar, blobOut, constants.COPYFILE_FICLONE);
  else await compressFile(diffTar, blobOut, compression, level);
  const digest = await sha256File(blobOut);
  return { mediaType: MEDIA.layer[compression], digest: `sha256:${digest}`, size: readFileSync(blobOut).length, diff_id: `sha256:${diffId}`, label };
}

/**
 * The PATH an image's Env gets unless the package's env sets one: what buildah and Docker write. Docker and podman
 * add one at run time, but other runtimes (runc or crun running an unpacked bundle) do not.
 */
export const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export const imageConfigSchema = z.strictObject({
  ref: z.string().min(1),
  entrypoint: z.array(z.string()).nullable().default(null),
  cmd: z.array(z.string()).nullable().default(null),
  env: z.record(z.string(), z.string()).default({}),
  user: z.string().nullable().default(null),
  working_dir: z.string().nullable().default(null),
  labels: z.record(z.string(), z.string()).default({}),
  exposed_ports: z.array(z.string()).default([]),
  architecture: z.string().nullable().default(null),
});
export type ImageConfig = z.infer<typeof imageConfigSchema>;

/** JSON with object keys sorted at every level: the same value always gives the same bytes */
export function canonicalJson(v: unknown): string {
  const sort = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(sort);
    if (x !== null && typeof x === "object") return Object.fromEntries(Object.keys(x).sort().map((k) => [k, sort((x as Record<string, unknown>)[k])]));
    return x;
  };
  return JSON.stringify(sort(v));
}

function hostArchitecture(): string {
  const map: Record<string, string> = { x64: "amd64", arm64: "arm64", arm: "arm", ppc64: "ppc64le", s390x: "s390x", riscv64: "riscv64" };
  return map[process.arch] ?? process.arch;
}

export function checkConfig(c: ImageConfig, label: string): void {
  const bad = c.exposed_ports.filter((p) => !/^\d{1,5}(\/(tcp|udp|sctp))?$/.test(p) || Number(p.split("/")[0]) > 65535);
  if (bad.length > 0) {
    throw new StrataError({ label, message: "exposed_ports has an entry that is not a port", expected: `"PORT" or "PORT/tcp|udp|sctp" with PORT in 0..65535`, found: bad.map((b) => JSON.stringify(b)).join(", ") });
  }
  const badEnv = Object.keys(c.env).filter((k) => k === "" || k.includes("="));
  if (badEnv.length > 0) {
    throw new StrataError({ label, message: "env has a name an environment variable cannot have", expected: "a non-empty name without `=`", found: badEnv.map((b) => JSON.stringify(b)).join(", ") });
  }
}

function writeBlob(dir: string, content: string): { digest: string; size: number } {
  const buf = Buffer.from(content);
  const hex = createHash("sha256").update(buf).digest("hex");
  writeFileSync(join(dir, "blobs", "sha256", hex), buf);
  return { digest: `sha256:${hex}`, size: buf.length };
}

export interface Layout {
  manifest: { digest: string; size: number };
  config: { digest: string; size: number };
}

/** writes the OCI image layout directory `out` from layer blobs (parent first) and the image config */
export function writeOciLayout(out: string, blobs: { file: string; desc: BlobDescriptor }[], c: ImageConfig, epoch: number): Layout {
  mkdirSync(join(out, "blobs", "sha256"), { recursive: true });
  const created = new Date(epoch * 1000).toISOString().replace(/\.000Z$/, "Z");
  for (const b of blobs) copyFileSync(b.file, join(out, "blobs", "sha256", b.desc.digest.slice("sha256:".length)), constants.COPYFILE_FICLONE);
  const cfg: Record<string, unknown> = {};
  if (c.entrypoint !== null) cfg["Entrypoint"] = c.entrypoint;
  if (c.cmd !== null) cfg["Cmd"] = c.cmd;
  const vars: Record<string, string> = { PATH: DEFAULT_PATH, ...c.env };
  cfg["Env"] = Object.keys(vars)
    .sort()
    .map((k) => `${k}=${vars[k]}`);
  if (c.user !== null) cfg["User"] = c.user;
  if (c.working_dir !== null) cfg["WorkingDir"] = c.working_dir;
  if (Object.keys(c.labels).length > 0) cfg["Labels"] = c.labels;
  if (c.exposed_ports.length > 0) cfg["ExposedPorts"] = Object.fromEntries([...c.exposed_ports].sort().map((p) => [p.includes("/") ? p : `${p}/tcp`, {}]));
  const config = {
    created,
    architecture: c.architecture ?? hostArchitecture(),
    os: "linux",
    config: cfg,
    rootfs: { type: "layers", diff_ids: blobs.map((b) => b.desc.diff_id) },
    history: blobs.map((b) => ({ created, created_by: `strata image.layer ${b.desc.label}` })),
  };
  const configBlob = writeBlob(out, canonicalJson(config));
  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA.manifest,
    config: { mediaType: MEDIA.config, ...configBlob },
    layers: blobs.map((b) => ({ mediaType: b.desc.mediaType, digest: b.desc.digest, size: b.desc.size })),
  };
  const manifestBlob = writeBlob(out, canonicalJson(manifest));
  const index = {
    schemaVersion: 2,
    mediaType: MEDIA.index,
    manifests: [{ mediaType: MEDIA.manifest, ...manifestBlob, annotations: { "org.opencontainers.image.ref.name": c.ref } }],
  };
  writeFileSync(join(out, "index.json"), canonicalJson(index));
  writeFileSync(join(out, "oci-layout"), canonicalJson({ imageLayoutVersion: "1.0.0" }));
  // Docker's `docker load` reads manifest.json; with it the archive form loads in Docker as well as in podman
  const repoTag = c.ref.includes(":") || c.ref.includes("@") ? c.ref : `${c.ref}:latest`;
  writeFileSync(
    join(out, "manifest.json"),
    canonicalJson([{ Config: `blobs/sha256/${configBlob.digest.slice(7)}`, RepoTags: [repoTag], Layers: blobs.map((b) => `blobs/sha256/${b.desc.digest.slice(7)}`) }]),
  );
  return { manifest: manifestBlob, config: configBlob };
}

/** the layout directory as one tar (what `podman load` and `docker load` take), reproducible like every strata tar */
export async function writeLayoutArchive(layoutDir: string, out: string, epoch: number): Promise<void> {
  await runTool({ tool: "tar", args: ["--create", `--file=${out}`, ...reproducibleTarArgs(epoch), "--owner=0", "--group=0", "--mode=go-w,a+rX", "--sort=name", "--directory", layoutDir, "."] });
}
