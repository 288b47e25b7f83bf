// tarball(src, into_dir, force_root_ownership, strip_components): extracts a .tar, .tar.gz/.tgz, .tar.zst/.tar.zstd
// or .tar.xz into into_dir, which is created like a directory install (antlir2 installs the extracted tree as
// into_dir/): only its parent must exist; an existing directory there is kept. Every member becomes an item with
// the header's mode and numeric owner (root with force_root_ownership); strip_components drops that many
// leading name components, as tar --strip-components does (members with no more are skipped); mtimes
// become the epoch. Members that would land outside into_dir are refused: `..` names, and anything under a
// symlink (from the archive or the image) that leads out of into_dir. Absolute names are taken relative to
// into_dir. Device and fifo members are refused (node cannot create them portably).
// Files are buffered in memory while written: fine for image-sized archives, not for multi-GB ones.
// Reading, decompression (by magic bytes) and the escape check are src/archive's, shared with the .deb extraction.
import { dirname } from "node:path";
import { z } from "zod";
import { joinImage, normalizeImagePath, ancestors, dirPrefix } from "../image/path.js";
import { archiveErrors, climbingName, escapes, memberKind, memberRel, walkTar, type ArchiveMember } from "../archive/index.js";
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

type Member = ArchiveMember;

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
    await walkTar(projectSourcePath(projectRoot, f.src), (h, content) => {
      const full = memberRel(h.name);
      if (full === null) return void problems.push(climbingName(h.name, "into_dir"));
      const rel = stripped(full);
      if (rel === null) return;
      const kind = memberKind(h);
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
    const { message, expected, found } = archiveErrors.unreadable(f.src, (e as Error).message);
    throw featureError(ctx, name, "io", message, expected, found);
  }
  problems.push(...escapes(members, "into_dir"));
  if (problems.length > 0) {
    const { message, expected, found } = archiveErrors.unsafe(f.src, "into_dir", problems);
    throw featureError(ctx, name, "schema", message, expected, found);
  }
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
