// clone(src_layer, src_path, dst_path): copies a file or tree from another published layer (its output
// symlink), keeping modes, numeric owners and symlinks (hard links become copies). Owners are kept as numbers:
// no user/group of this image is required, so a uid without a name here stays a bare uid.
// rsync-like: src_path ending in "/" copies the directory's contents into dst_path (an existing directory);
// otherwise src_path itself is copied to dst_path, or into dst_path when that ends in "/".
import { lstatSync, readdirSync, readlinkSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { baseName, dirPrefix, joinImage, normalizeImagePath } from "../image/path.js";
import { applyMeta, copyFileIn, mkdirIn, symlinkIn } from "../image/fsops.js";
import { resolveInImage, resolveParentInImage } from "../image/resolve.js";
import { IS_DIR, asFeatureError, describeFeature, featureError, imagePathSchema, labelSchema, requireParentDir, requirePath } from "./common.js";
import type { CompileContext, FeatureModule, ProvidedItem } from "./types.js";
import type { PathFact } from "../types.js";

const schema = z.strictObject({
  type: z.literal("clone"),
  label: labelSchema,
  src_layer: z.string().min(1),
  src_path: imagePathSchema,
  dst_path: imagePathSchema,
});
export type Clone = z.infer<typeof schema>;

interface Plan {
  src: string;
  /** where src itself lands; null when only the contents are copied */
  dst: string;
  contentsOnly: boolean;
}

function plan(f: Clone): Plan {
  const src = normalizeImagePath(f.src_path);
  const dst = normalizeImagePath(f.dst_path);
  if (src === "/" || f.src_path.endsWith("/")) return { src, dst, contentsOnly: true };
  return { src, dst: f.dst_path.endsWith("/") ? joinImage(dst, baseName(src)) : dst, contentsOnly: false };
}

function itemOf(path: string, fact: PathFact): ProvidedItem {
  if (fact.type === "symlink") return { kind: "symlink", path, target: fact.target ?? "" };
  return { kind: "path", path, fileType: fact.type, mode: fact.mode, owner: `${fact.uid}:${fact.gid}` };
}

function copyTree(ctx: CompileContext, srcHost: string, dst: string, includeRoot: boolean): void {
  const visit = (host: string, path: string, isRoot: boolean): void => {
    const st = lstatSync(host);
    const meta = { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, epoch: ctx.epoch };
    if (st.isDirectory()) {
      if (!isRoot || includeRoot) {
        const r = mkdirIn(ctx.root, path, meta);
        if (!r.created) applyMeta(r.hostPath, meta);
        ctx.touched(r.imagePath);
      }
      for (const name of readdirSync(host).sort()) visit(join(host, name), joinImage(path, name), false);
    } else if (st.isSymbolicLink()) ctx.touched(symlinkIn(ctx.root, path, readlinkSync(host, "utf8"), meta).imagePath);
    else if (st.isFile()) ctx.touched(copyFileIn(ctx.root, path, host, meta).imagePath);
    else throw new Error(`"${path}" in the source layer is a special file, which clone does not copy`);
  };
  visit(srcHost, dst, true);
}

export const clone: FeatureModule<Clone> = {
  type: "clone",
  phase: "compile",
  schema,
  describe: (f) => describeFeature("clone", { src_layer: f.src_layer, src_path: f.src_path, dst_path: f.dst_path }),
  analyze(f, ctx) {
    const name = this.describe(f);
    const p = plan(f);
    const facts = ctx.layerFacts(f.src_layer);
    const root = facts.path(p.src) ?? (p.src === "/" ? ({ path: "/", type: "directory", mode: 0o755, uid: 0, gid: 0 } as PathFact) : undefined);
    if (root === undefined) throw featureError(ctx, name, `"${p.src}" does not exist in the source layer ${f.src_layer}`, "an existing path in the source layer", "no such path");
    if (p.contentsOnly && root.type !== "directory") {
      throw featureError(ctx, name, `src_path "${f.src_path}" ends in "/" but is not a directory in the source layer`, "a directory", root.type);
    }
    const provides: ProvidedItem[] = p.contentsOnly ? [] : [itemOf(p.dst, root)];
    if (root.type === "directory") {
      const prefix = dirPrefix(p.src);
      for (const fact of facts.listUnder(p.src)) provides.push(itemOf(joinImage(p.dst, fact.path.slice(prefix.length)), fact));
    }
    const requires = p.contentsOnly || f.dst_path.endsWith("/") ? [requirePath(normalizeImagePath(f.dst_path), IS_DIR)] : [requireParentDir(p.dst)];
    return { requires, provides };
  },
  async compile(f, ctx) {
    const name = this.describe(f);
    await asFeatureError(ctx, name, () => {
      const p = plan(f);
      const srcRoot = realpathSync(f.src_layer);
      const src = p.contentsOnly ? resolveInImage(srcRoot, p.src, true) : resolveParentInImage(srcRoot, p.src);
      if (lstatSync(src.hostPath, { throwIfNoEntry: false }) === undefined) throw new Error(`"${p.src}" does not exist in the source layer`);
      copyTree(ctx, src.hostPath, p.dst, !p.contentsOnly);
    });
  },
};
