// install(src, dst, mode, user, group, xattrs): copies a file or a directory tree from the project into the image,
// with antlir2's meaning of `dst`:
// - a file source is installed AS `dst`, which must not end in "/" (mode default 0o444, or 0o555 when the source
//   has any x bit);
// - a directory source needs `dst` ending in "/" and is installed AS that directory (not into it): "/d/" makes
//   /d. In the tree, directories get 0o755 and files 0o755 or 0o644 by the source's x bit (`mode` is for file
//   installs): what a git checkout gives and all a Buck2 action digest records of a source, so the tree is the same
//   in every checkout and on a remote worker (whose inputs are 0o444/0o555). antlir2 copies the source's bits;
//   symlinks are kept as they are; entries go in sorted order.
// Either mismatch is an error naming both sides, never a silently different tree. `xattrs` are set on `dst`
// itself (the file, or the top directory).
import { lstatSync, readdirSync, readlinkSync } from "node:fs";
import { basename, join } from "node:path";
import { z } from "zod";
import { joinImage, normalizeImagePath } from "../image/path.js";
import { resolveMode } from "../image/mode.js";
import { copyFileIn, mkdirIn, symlinkIn, touchTimes } from "../image/fsops.js";
import { fillFreshDir } from "../image/copytree.js";
import { setXattrs, xattrsSchema, xattrsText } from "./xattrs.js";
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
  xattrs: xattrsSchema,
});
export type Install = z.infer<typeof schema>;

/** One entry of the source, relative to the source root ("" is the root itself). */
interface SourceEntry {
  rel: string;
  kind: "file" | "directory" | "symlink";
  executable: boolean;
  /** permission bits of the source entry */
  perm: number;
  target?: string;
}

function destination(f: Install): string {
  return normalizeImagePath(f.dst);
}

/** antlir2's rule: a directory source needs a dst ending in "/", a file source a dst that does not. */
function checkDestination(f: Install, top: SourceEntry | undefined, ctx: { label: string }, name: string): void {
  const isDir = top?.kind === "directory";
  const slash = f.dst.endsWith("/");
  if (isDir && !slash) {
    throw featureError(ctx, name, "schema", `the source "${f.src}" is a directory, so dst must end in "/" (antlir2: a directory is installed as dst="/path/")`, `dst="${f.dst}/"`, `dst="${f.dst}"`);
  }
  if (!isDir && slash) {
    throw featureError(ctx, name, "schema", `dst ends in "/", which means a directory install, but the source "${f.src}" is not a directory; give the file's full path`, `dst="${joinImage(normalizeImagePath(f.dst), basename(f.src))}"`, `dst="${f.dst}"`);
  }
}

function walkSource(root: string): SourceEntry[] {
  const out: SourceEntry[] = [];
  const visit = (rel: string): void => {
    const host = rel === "" ? root : join(root, rel);
    const st = lstatSync(host);
    const perm = st.mode & 0o7777;
    if (st.isSymbolicLink()) out.push({ rel, kind: "symlink", executable: false, perm, target: readlinkSync(host, "utf8") });
    else if (st.isFile()) out.push({ rel, kind: "file", executable: (st.mode & 0o111) !== 0, perm });
    else if (st.isDirectory()) {
      out.push({ rel, kind: "directory", executable: false, perm });
      for (const name of readdirSync(host).sort()) visit(rel === "" ? name : `${rel}/${name}`);
    } else throw new Error(`"${host}" is neither a file, a directory nor a symlink`);
  };
  visit("");
  return out;
}

function entryMode(f: Install, e: SourceEntry, tree: boolean): number {
  if (tree) return e.kind === "symlink" ? e.perm : e.kind === "directory" || e.executable ? 0o755 : 0o644;
  return resolveMode(f.mode, false, e.executable ? 0o555 : 0o444);
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
    throw featureError(ctx, name, "io", `cannot read the source "${f.src}": ${(e as Error).message}`, "an existing file or directory", "unreadable or missing");
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
    const entries = readSource(f, ctx.projectRoot, ctx, this.describe(f));
    checkDestination(f, entries[0], ctx, this.describe(f));
    const tree = entries[0]?.kind === "directory";
    const xattrs = xattrsText(f.xattrs) || undefined;
    const provides: ProvidedItem[] = entries.map((e) => {
      const path = joinImage(dst, e.rel);
      if (e.kind === "symlink") return { kind: "symlink", path, target: e.target! };
      const item: ProvidedItem = { kind: "path", path, fileType: e.kind === "file" ? "file" : "directory", mode: entryMode(f, e, tree), owner };
      if (e.rel === "" && xattrs) item.xattrs = xattrs;
      return item;
    });
    return { requires: [requireParentDir(dst), ...ownerRequirements(f.user, f.group)], provides };
  },
  async compile(f, ctx) {
    const name = this.describe(f);
    const entries = readSource(f, ctx.projectRoot, ctx, name);
    const src = projectSourcePath(ctx.projectRoot, f.src);
    const dst = destination(f);
    checkDestination(f, entries[0], ctx, name);
    const tree = entries[0]?.kind === "directory";
    await asFeatureError(ctx, name, () => {
      const owner = resolveOwner(ctx, name, f.user, f.group);
      const [top, ...below] = entries;
      if (top?.kind === "directory") {
        const r = mkdirIn(ctx.root, dst, { mode: entryMode(f, top, tree), ...owner, epoch: ctx.epoch });
        if (r.created) {
          // a directory this build just made: copy the tree in bulk (the common case, e.g. a whole source tree)
          ctx.touched(r.imagePath);
          fillFreshDir(r, src, below.map((e) => ({ rel: e.rel, kind: e.kind, mode: entryMode(f, e, tree), target: e.target })), { ...owner, epoch: ctx.epoch }, ctx.touched);
          setXattrs(r.hostPath, f.xattrs);
          touchTimes(r.hostPath, ctx.epoch);
          return;
        }
      }
      for (const e of entries) {
        const path = joinImage(dst, e.rel);
        const meta = { mode: entryMode(f, e, tree), ...owner, epoch: ctx.epoch };
        const hostFrom = e.rel === "" ? src : join(src, e.rel);
        if (e.kind === "directory") {
          const r = mkdirIn(ctx.root, path, meta);
          if (r.created) ctx.touched(r.imagePath);
          if (e.rel === "") setXattrs(r.hostPath, f.xattrs);
        } else if (e.kind === "symlink") ctx.touched(symlinkIn(ctx.root, path, e.target!, meta).imagePath);
        else {
          const r = copyFileIn(ctx.root, path, hostFrom, meta);
          if (e.rel === "") setXattrs(r.hostPath, f.xattrs);
          ctx.touched(r.imagePath);
        }
      }
    });
  },
};
