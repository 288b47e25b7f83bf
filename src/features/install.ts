// install(src, dst, mode, user, group): copies a file or a directory tree from the project into the image.
// Files default to 0o444, or 0o555 when the source has any x bit. A directory source gives a directory at dst
// (mode, default 0o755) and below it directories 0o755, files 0o444/0o555, symlinks as they are, in sorted order.
// A dst ending in "/" means "into this directory, under the source's basename".
import { lstatSync, readdirSync, readlinkSync } from "node:fs";
import { basename, join } from "node:path";
import { z } from "zod";
import { joinImage, normalizeImagePath } from "../image/path.js";
import { resolveMode } from "../image/mode.js";
import { copyFileIn, mkdirIn, symlinkIn, touchTimes } from "../image/fsops.js";
import { fillFreshDir } from "../image/copytree.js";
import { asFeatureError, describeFeature, featureError, imagePathSchema, labelSchema, modeSchema, ownerRequirements, ownerSchema, ownerText, projectSourcePath, requireParentDir, resolveOwner } from "./common.js";
import type { FeatureModule, ProvidedItem } from "./types.js";

const schema = z.strictObject({
  type: z.literal("install"),
  label: labelSchema,
  src: z.string().min(1),
  dst: imagePathSchema,
  mode: modeSchema,
  user: ownerSchema.default("root"),
  group: ownerSchema.default("root"),
});
export type Install = z.infer<typeof schema>;

/** One entry of the source, relative to the source root ("" is the root itself). */
interface SourceEntry {
  rel: string;
  kind: "file" | "directory" | "symlink";
  executable: boolean;
  target?: string;
}

function destination(f: Install): string {
  const dst = normalizeImagePath(f.dst);
  return f.dst.endsWith("/") ? joinImage(dst, basename(f.src.replace(/\/+$/, ""))) : dst;
}

function walkSource(root: string): SourceEntry[] {
  const out: SourceEntry[] = [];
  const visit = (rel: string): void => {
    const host = rel === "" ? root : join(root, rel);
    const st = lstatSync(host);
    if (st.isSymbolicLink()) out.push({ rel, kind: "symlink", executable: false, target: readlinkSync(host, "utf8") });
    else if (st.isFile()) out.push({ rel, kind: "file", executable: (st.mode & 0o111) !== 0 });
    else if (st.isDirectory()) {
      out.push({ rel, kind: "directory", executable: false });
      for (const name of readdirSync(host).sort()) visit(rel === "" ? name : `${rel}/${name}`);
    } else throw new Error(`"${host}" is neither a file, a directory nor a symlink`);
  };
  visit("");
  return out;
}

function entryMode(f: Install, e: SourceEntry): number {
  if (e.kind === "directory") return e.rel === "" ? resolveMode(f.mode, true, 0o755) : 0o755;
  if (e.rel === "") return resolveMode(f.mode, false, e.executable ? 0o555 : 0o444);
  return e.executable ? 0o555 : 0o444;
}

// analyze and compile of one build walk the same source: walk it once (a large tree costs a stat per entry)
const walked = new WeakMap<Install, { root: string; entries: SourceEntry[] }>();

function readSource(f: Install, projectRoot: string, ctx: { label: string }, name: string): SourceEntry[] {
  try {
    const root = projectSourcePath(projectRoot, f.src);
    const seen = walked.get(f);
    if (seen?.root === root) return seen.entries;
    const entries = walkSource(root);
    walked.set(f, { root, entries });
    return entries;
  } catch (e) {
    throw featureError(ctx, name, `cannot read the source "${f.src}": ${(e as Error).message}`, "an existing file or directory", "unreadable or missing");
  }
}

export const install: FeatureModule<Install> = {
  type: "install",
  phase: "compile",
  schema,
  describe: (f) => describeFeature("install", { src: f.src, dst: f.dst }),
  analyze(f, ctx) {
    const dst = destination(f);
    const owner = ownerText(f.user, f.group);
    const provides: ProvidedItem[] = readSource(f, ctx.projectRoot, ctx, this.describe(f)).map((e) => {
      const path = joinImage(dst, e.rel);
      if (e.kind === "symlink") return { kind: "symlink", path, target: e.target! };
      return { kind: "path", path, fileType: e.kind === "file" ? "file" : "directory", mode: entryMode(f, e), owner };
    });
    return { requires: [requireParentDir(dst), ...ownerRequirements(f.user, f.group)], provides };
  },
  async compile(f, ctx) {
    const name = this.describe(f);
    const entries = readSource(f, ctx.projectRoot, ctx, name);
    const src = projectSourcePath(ctx.projectRoot, f.src);
    const dst = destination(f);
    await asFeatureError(ctx, name, () => {
      const owner = resolveOwner(ctx, name, f.user, f.group);
      const [top, ...below] = entries;
      if (top?.kind === "directory") {
        const r = mkdirIn(ctx.root, dst, { mode: entryMode(f, top), ...owner, epoch: ctx.epoch });
        if (r.created) {
          // a directory this build just made: copy the tree in bulk (the common case, e.g. a whole source tree)
          ctx.touched(r.imagePath);
          fillFreshDir(r, src, below.map((e) => ({ rel: e.rel, kind: e.kind, mode: entryMode(f, e), target: e.target })), { ...owner, epoch: ctx.epoch }, ctx.touched);
          touchTimes(r.hostPath, ctx.epoch);
          return;
        }
      }
      for (const e of entries) {
        const path = joinImage(dst, e.rel);
        const meta = { mode: entryMode(f, e), ...owner, epoch: ctx.epoch };
        const hostFrom = e.rel === "" ? src : join(src, e.rel);
        if (e.kind === "directory") {
          const r = mkdirIn(ctx.root, path, meta);
          if (r.created) ctx.touched(r.imagePath);
        } else if (e.kind === "symlink") ctx.touched(symlinkIn(ctx.root, path, e.target!, meta).imagePath);
        else ctx.touched(copyFileIn(ctx.root, path, hostFrom, meta).imagePath);
      }
    });
  },
};
