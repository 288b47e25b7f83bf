// tarball(src, into_dir, force_root_ownership, strip_components): extracts a .tar, .tar.gz/.tgz, .tar.zst/.tar.zstd
// or .tar.xz into into_dir, which is created like a directory install (antlir2 installs the extracted tree as
// into_dir/): only its parent must exist; an existing directory there is kept. Every member becomes an item with
// the header's mode and numeric owner (root with force_root_ownership); strip_components drops that many
// leading name components, as tar --strip-components does (members with no more are skipped); mtimes
// become the epoch. Members that would land outside into_dir are refused: `..` names, and anything under a
// symlink (from the archive or the image) that leads out of into_dir. Absolute names are taken relative to
// into_dir. Device and fifo members are refused (node cannot create them portably).
// Files are buffered in memory while written: fine for image-sized archives, not for multi-GB ones.
import { createReadStream } from "node:fs";
import { dirname } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { spawn } from "node:child_process";
import type { Readable } from "node:stream";
import type { Header as TarHeader } from "tar-stream";
import { z } from "zod";
import { joinImage, normalizeImagePath, ancestors, dirPrefix, symlinkDestination } from "../image/path.js";
import { linkSync, lstatSync } from "node:fs";
import { applyMeta, mkdirIn, symlinkIn, touchTimes, writeFileIn } from "../image/fsops.js";
import { resolveInImage, resolveParentInImage } from "../image/resolve.js";
import { IS_DIR, asFeatureError, describeFeature, featureError, imagePathSchema, labelSchema, projectSourcePath, requireParentDir, requirePath } from "./common.js";
import type { FeatureModule, ProvidedItem } from "./types.js";

const schema = z.strictObject({
  type: z.literal("tarball"),
  label: labelSchema,
  src: z.string().regex(/\.(tar|tar\.gz|tgz|tar\.zst|tar\.zstd|tar\.xz)$/, { message: "a path ending in .tar, .tar.gz, .tgz, .tar.zst, .tar.zstd or .tar.xz" }),
  into_dir: imagePathSchema,
  force_root_ownership: z.boolean().optional().default(false),
  strip_components: z.number().int().min(0).optional().default(0),
});
export type Tarball = z.infer<typeof schema>;

interface Member {
  /** path relative to into_dir, normalised, "" for into_dir itself */
  rel: string;
  kind: "file" | "directory" | "symlink" | "link";
  mode: number;
  uid: number;
  gid: number;
  linkname?: string;
}

/** Decompressed archive bytes; zstd and xz go through their command-line tools. */
function openArchive(path: string): { stream: Readable; done: Promise<void> } {
  if (/\.(tar\.gz|tgz)$/.test(path)) {
    const gunzip = createGunzip();
    const done = pipeline(createReadStream(path), gunzip);
    return { stream: gunzip, done };
  }
  const tool = /\.tar\.zstd?$/.test(path) ? "zstd" : /\.tar\.xz$/.test(path) ? "xz" : null;
  if (tool === null) return { stream: createReadStream(path), done: Promise.resolve() };
  const child = spawn(tool, ["-dc", path], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<void>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${tool} -dc failed (exit ${code}): ${stderr.trim()}`))));
  });
  return { stream: child.stdout, done };
}

/** Calls `onEntry` for each member in archive order, with the member's content for regular files. */
async function readArchive(path: string, onEntry: (h: TarHeader, content: Buffer | null) => void): Promise<void> {
  // loaded on use: most layers have no tarball, and every `strata compile` process pays for its imports
  const { default: tar } = await import("tar-stream");
  const { stream, done } = openArchive(path);
  const extract = tar.extract();
  const reading = (async () => {
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      onEntry(entry.header, entry.header.type === "file" || entry.header.type === "contiguous-file" ? Buffer.concat(chunks) : null);
    }
  })();
  await Promise.all([pipeline(stream, extract), done, reading]);
}

/** "./a//b/" → "a/b"; "/etc/x" → "etc/x"; null when a component is "..". */
function memberRel(name: string): string | null {
  const parts: string[] = [];
  for (const c of name.split("/")) {
    if (c === "" || c === ".") continue;
    if (c === "..") return null;
    parts.push(c);
  }
  return parts.join("/");
}

function kindOf(h: TarHeader): Member["kind"] | null {
  switch (h.type ?? "file") {
    case "file":
    case "contiguous-file":
      return "file";
    case "directory":
      return "directory";
    case "symlink":
      return "symlink";
    case "link":
      return "link";
    default:
      return null;
  }
}

/**
 * Checks every member stays under into_dir when followed through the archive's own symlinks, lexically.
 * Returns the problems found (all of them).
 */
function escapes(members: Member[]): string[] {
  const links = new Map<string, string>();
  const problems: string[] = [];
  const base = "/x";
  const resolveDir = (rel: string): string | null => {
    let cur = base;
    let hops = 0;
    const todo = rel === "" ? [] : rel.split("/");
    while (todo.length > 0) {
      const next = joinImage(cur, todo.shift()!);
      const t = links.get(next);
      if (t === undefined) {
        cur = next;
        continue;
      }
      if (++hops > 40) return null;
      const dest = symlinkDestination(next, t);
      if (dest === null || (dest !== base && !dest.startsWith(base + "/"))) return null;
      todo.unshift(...(dest === base ? [] : dest.slice(base.length + 1).split("/")));
      cur = base;
    }
    return cur;
  };
  for (const m of members) {
    if (m.rel === "") continue;
    const slash = m.rel.lastIndexOf("/");
    const parentRel = slash < 0 ? "" : m.rel.slice(0, slash);
    if (resolveDir(parentRel) === null) problems.push(`member "${m.rel}" lies under a symlink that leads outside into_dir`);
    if (m.kind === "link" && (m.linkname === undefined || memberRel(m.linkname) === null)) problems.push(`hard link "${m.rel}" -> "${m.linkname}" leads outside into_dir`);
    if (m.kind === "symlink") links.set(joinImage(base, m.rel), m.linkname ?? "");
  }
  return problems;
}

async function loadMembers(f: Tarball, projectRoot: string, ctx: { label: string }, name: string, withContent: boolean) {
  const members: Member[] = [];
  const contents = new Map<number, Buffer>();
  const problems: string[] = [];
  try {
    const strip = f.strip_components ?? 0;
    // tar --strip-components: drop leading components of names (and of hard-link targets); null when none remain
    const stripped = (rel: string): string | null => {
      if (strip === 0) return rel;
      const parts = rel === "" ? [] : rel.split("/");
      return parts.length > strip ? parts.slice(strip).join("/") : null;
    };
    const root = f.force_root_ownership === true;
    await readArchive(projectSourcePath(projectRoot, f.src), (h, content) => {
      const full = memberRel(h.name);
      if (full === null) return void problems.push(`member "${h.name}" climbs out of into_dir with ".."`);
      const rel = stripped(full);
      if (rel === null) return;
      const kind = kindOf(h);
      if (kind === null) return void problems.push(`member "${h.name}" is a ${h.type}, which tarball does not extract`);
      let linkname = h.linkname ?? undefined;
      if (kind === "link" && linkname !== undefined) {
        const target = memberRel(linkname);
        const s = target === null ? null : stripped(target);
        if (s === null) return void problems.push(`hard link "${h.name}" -> "${linkname}" has no target left after strip_components=${strip}`);
        linkname = s;
      }
      if (withContent && content !== null) contents.set(members.length, content);
      members.push({ rel, kind, mode: (h.mode ?? 0o644) & 0o7777, uid: root ? 0 : (h.uid ?? 0), gid: root ? 0 : (h.gid ?? 0), linkname });
    });
  } catch (e) {
    throw featureError(ctx, name, `cannot read the archive "${f.src}": ${(e as Error).message}`, "a readable tar archive", "unreadable");
  }
  problems.push(...escapes(members));
  if (problems.length > 0) throw featureError(ctx, name, `unsafe archive "${f.src}": ${problems.join("; ")}`, "members that stay inside into_dir", `${problems.length} unsafe member(s)`);
  return { members, contents };
}

export const tarball: FeatureModule<Tarball> = {
  type: "tarball",
  phase: "compile",
  schema,
  describe: (f) => describeFeature("tarball", { src: f.src, into_dir: f.into_dir }),
  async analyze(f, ctx) {
    const into = normalizeImagePath(f.into_dir);
    const { members } = await loadMembers(f, ctx.projectRoot, ctx, this.describe(f), false);
    const items = new Map<string, ProvidedItem>();
    // into_dir itself, as a directory install provides it (an existing directory may be re-provided)
    if (into !== "/") items.set(into, { kind: "path", path: into, fileType: "directory", mode: 0o755, owner: "root:root" });
    const modeOf = new Map<string, number>();
    for (const m of members) {
      if (m.rel === "") continue;
      const path = joinImage(into, m.rel);
      for (const a of ancestors(path)) {
        if (a.length > into.length && a.startsWith(dirPrefix(into)) && !items.has(a)) {
          items.set(a, { kind: "path", path: a, fileType: "directory", mode: 0o755, owner: "0:0" });
        }
      }
      const owner = `${m.uid}:${m.gid}`;
      if (m.kind === "symlink") items.set(path, { kind: "symlink", path, target: m.linkname ?? "" });
      else if (m.kind === "link") {
        const target = joinImage(into, memberRel(m.linkname ?? "")!);
        items.set(path, { kind: "path", path, fileType: "file", mode: modeOf.get(target) ?? m.mode, owner });
      } else items.set(path, { kind: "path", path, fileType: m.kind, mode: m.mode, owner });
      modeOf.set(path, m.mode);
    }
    return { requires: [into === "/" ? requirePath(into, IS_DIR) : requireParentDir(into)], provides: [...items.values()] };
  },
  async compile(f, ctx) {
    const name = this.describe(f);
    const { members, contents } = await loadMembers(f, ctx.projectRoot, ctx, name, true);
    await asFeatureError(ctx, name, () => {
      if (normalizeImagePath(f.into_dir) !== "/") {
        const made = mkdirIn(ctx.root, f.into_dir, { mode: 0o755, uid: 0, gid: 0, epoch: ctx.epoch });
        if (made.created) ctx.touched(made.imagePath);
      }
      const into = resolveInImage(ctx.root, f.into_dir, true).imagePath;
      const inside = (p: string): boolean => p === into || p.startsWith(dirPrefix(into));
      members.forEach((m, idx) => {
        if (m.rel === "") return;
        const path = joinImage(into, m.rel);
        // The image itself may hold symlinks under into_dir: check where the member really lands.
        const landing = resolveParentInImage(ctx.root, path).imagePath;
        if (!inside(landing) || landing === into) throw new Error(`member "${m.rel}" would land at "${landing}", outside ${f.into_dir}`);
        const meta = { mode: m.mode, uid: m.uid, gid: m.gid, epoch: ctx.epoch };
        for (const a of ancestors(landing)) {
          if (a.length > into.length && inside(a)) {
            const r = mkdirIn(ctx.root, a, { mode: 0o755, uid: 0, gid: 0, epoch: ctx.epoch });
            if (r.created) ctx.touched(r.imagePath);
          }
        }
        if (m.kind === "directory") {
          // An existing symlink here is followed by mkdirIn, and the member's mode and owner then go to its
          // target: that target must be strictly inside into_dir too (an image link `d -> /etc` must not chmod /etc).
          const dest = resolveInImage(ctx.root, landing, true).imagePath;
          if (!inside(dest) || dest === into) throw new Error(`directory member "${m.rel}" leads through a symlink to "${dest}", outside ${f.into_dir}`);
          const r = mkdirIn(ctx.root, landing, meta);
          if (!r.created) applyMeta(r.hostPath, meta);
          ctx.touched(r.imagePath);
        } else if (m.kind === "symlink") ctx.touched(symlinkIn(ctx.root, landing, m.linkname ?? "", meta).imagePath);
        else if (m.kind === "link") {
          const target = resolveParentInImage(ctx.root, joinImage(into, memberRel(m.linkname ?? "")!));
          if (!inside(target.imagePath)) throw new Error(`hard link "${m.rel}" points outside ${f.into_dir}`);
          const r = resolveParentInImage(ctx.root, landing);
          if (lstatSync(r.hostPath, { throwIfNoEntry: false }) !== undefined) throw new Error(`hard link "${m.rel}": path already exists`);
          linkSync(target.hostPath, r.hostPath);
          touchTimes(dirname(r.hostPath), ctx.epoch);
          ctx.touched(r.imagePath);
        } else ctx.touched(writeFileIn(ctx.root, landing, contents.get(idx) ?? Buffer.alloc(0), meta).imagePath);
      });
    });
  },
};
