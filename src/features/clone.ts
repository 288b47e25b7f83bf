// clone(src_layer, src_path, dst_path | path, user, group): copies a file or tree from another published layer
// (its output symlink), keeping modes and symlinks (hard links become copies). Owners are remapped BY NAME, as
// antlir2 does: an entry owned by "antlir" in the source is owned by this image's "antlir", whatever its id; a
// name this image lacks is an error (the depgraph requires the user/group); an id without a name in the source
// layer stays that id. `user` and `group` (both or neither) instead give every copied entry that owner.
// `path` means the same path at both ends. rsync-like, as antlir2: src_path ending in "/" copies the
// directory's contents into dst_path, which must then end in "/" too (an existing directory); otherwise
// src_path itself is copied to dst_path, or into dst_path when that ends in "/".
import { lstatSync, readdirSync, readlinkSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { baseName, dirPrefix, joinImage, normalizeImagePath } from "../image/path.js";
import { applyMeta, copyFileIn, mkdirIn, symlinkIn } from "../image/fsops.js";
import { resolveInImage, resolveParentInImage } from "../image/resolve.js";
import { lookupGid, lookupUid } from "../image/passwd.js";
import { IS_DIR, asFeatureError, describeFeature, featureError, imagePathSchema, labelSchema, requireGroup, requireParentDir, requirePath, requireUser } from "./common.js";
import type { CompileContext, FeatureModule, ProvidedItem } from "./types.js";
import type { FactsView, PathFact, Requirement } from "../types.js";

const schema = z
  .strictObject({
    type: z.literal("clone"),
    label: labelSchema,
    src_layer: z.string().min(1),
    src_path: imagePathSchema.nullable().optional(),
    dst_path: imagePathSchema.nullable().optional(),
    path: imagePathSchema.nullable().optional(),
    user: z.string().min(1).nullable().optional(),
    group: z.string().min(1).nullable().optional(),
  })
  .refine((f) => (f.path != null) !== (f.src_path != null && f.dst_path != null) && (f.path == null || (f.src_path == null && f.dst_path == null)), {
    message: "either path, or both src_path and dst_path",
    path: ["path"],
  })
  .refine((f) => (f.user == null) === (f.group == null), { message: "both user and group, or neither (as in antlir2)", path: ["user"] })
  .refine((f) => !(f.src_path ?? f.path ?? "").endsWith("/") || (f.dst_path ?? f.path ?? "").endsWith("/"), {
    message: 'src_path ends in "/" (copy the contents), so dst_path must end in "/" (an existing directory), as in antlir2',
    path: ["dst_path"],
  });
export type Clone = z.infer<typeof schema>;

const srcPathOf = (f: Clone): string => (f.src_path ?? f.path)!;
const dstPathOf = (f: Clone): string => (f.dst_path ?? f.path)!;

/** Owner names of the source layer by id (root is always 0). */
function idNames(facts: FactsView): { users: Map<number, string>; groups: Map<number, string> } {
  const users = new Map<number, string>([[0, "root"]]);
  const groups = new Map<number, string>([[0, "root"]]);
  for (const u of facts.users()) if (!users.has(u.uid)) users.set(u.uid, u.name);
  for (const g of facts.groups()) if (!groups.has(g.gid)) groups.set(g.gid, g.name);
  return { users, groups };
}

/** How an entry's owner in the source becomes its owner here: a name (looked up in this image) or a bare id. */
interface OwnerMap {
  user(uid: number): string | number;
  group(gid: number): string | number;
}

function ownerMap(f: Clone, facts: FactsView): OwnerMap {
  if (f.user != null && f.group != null) return { user: () => f.user!, group: () => f.group! };
  const names = idNames(facts);
  return { user: (uid) => names.users.get(uid) ?? uid, group: (gid) => names.groups.get(gid) ?? gid };
}

interface Plan {
  src: string;
  /** where src itself lands; null when only the contents are copied */
  dst: string;
  contentsOnly: boolean;
}

function plan(f: Clone): Plan {
  const srcPath = srcPathOf(f);
  const dstPath = dstPathOf(f);
  const src = normalizeImagePath(srcPath);
  const dst = normalizeImagePath(dstPath);
  if (src === "/" || srcPath.endsWith("/")) return { src, dst, contentsOnly: true };
  return { src, dst: dstPath.endsWith("/") && f.path == null ? joinImage(dst, baseName(src)) : dst, contentsOnly: false };
}

function itemOf(path: string, fact: PathFact, owners: OwnerMap): ProvidedItem {
  if (fact.type === "symlink") return { kind: "symlink", path, target: fact.target ?? "" };
  return { kind: "path", path, fileType: fact.type, mode: fact.mode, owner: `${owners.user(fact.uid)}:${owners.group(fact.gid)}` };
}

function copyTree(ctx: CompileContext, name: string, srcHost: string, dst: string, includeRoot: boolean, owners: OwnerMap): void {
  const uidOf = (uid: number): number => {
    const who = owners.user(uid);
    const id = lookupUid(ctx.root, who);
    if (id === undefined) throw featureError(ctx, name, "missing", `user "${who}" (owner in the source layer) is not in this image's /etc/passwd`, "the same user name in both layers", "no such user");
    return id;
  };
  const gidOf = (gid: number): number => {
    const who = owners.group(gid);
    const id = lookupGid(ctx.root, who);
    if (id === undefined) throw featureError(ctx, name, "missing", `group "${who}" (owner in the source layer) is not in this image's /etc/group`, "the same group name in both layers", "no such group");
    return id;
  };
  const visit = (host: string, path: string, isRoot: boolean): void => {
    const st = lstatSync(host);
    const meta = { mode: st.mode & 0o7777, uid: uidOf(st.uid), gid: gidOf(st.gid), epoch: ctx.epoch };
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
  describe: (f) => describeFeature("clone", { src_layer: f.src_layer, src_path: f.src_path, dst_path: f.dst_path, path: f.path }),
  analyze(f, ctx) {
    const name = this.describe(f);
    const p = plan(f);
    const facts = ctx.layerFacts(f.src_layer);
    const owners = ownerMap(f, facts);
    const root = facts.path(p.src) ?? (p.src === "/" ? ({ path: "/", type: "directory", mode: 0o755, uid: 0, gid: 0 } as PathFact) : undefined);
    if (root === undefined) throw featureError(ctx, name, "missing", `"${p.src}" does not exist in the source layer ${f.src_layer}`, "an existing path in the source layer", "no such path");
    if (p.contentsOnly && root.type !== "directory") {
      throw featureError(ctx, name, "unsatisfied", `src_path "${f.src_path}" ends in "/" but is not a directory in the source layer`, "a directory", root.type);
    }
    const copied = [...(p.contentsOnly ? [] : [root]), ...(root.type === "directory" ? facts.listUnder(p.src) : [])];
    const prefix = dirPrefix(p.src);
    const provides: ProvidedItem[] = copied.map((fact) => itemOf(fact === root ? p.dst : joinImage(p.dst, fact.path.slice(prefix.length)), fact, owners));
    const dstPath = dstPathOf(f);
    const requires: Requirement[] = p.contentsOnly || (dstPath.endsWith("/") && f.path == null) ? [requirePath(normalizeImagePath(dstPath), IS_DIR)] : [requireParentDir(p.dst)];
    // owners by name: each must exist here before the copy
    const users = new Set<string>();
    const groups = new Set<string>();
    for (const fact of copied) {
      const u = owners.user(fact.uid);
      const g = owners.group(fact.gid);
      if (typeof u === "string" && u !== "root") users.add(u);
      if (typeof g === "string" && g !== "root") groups.add(g);
    }
    requires.push(...[...users].sort().map(requireUser), ...[...groups].sort().map(requireGroup));
    return { requires, provides };
  },
  async compile(f, ctx) {
    const name = this.describe(f);
    await asFeatureError(ctx, name, () => {
      const p = plan(f);
      const srcRoot = realpathSync(f.src_layer);
      const owners = ownerMap(f, ctx.layerFacts(f.src_layer));
      const src = p.contentsOnly ? resolveInImage(srcRoot, p.src, true) : resolveParentInImage(srcRoot, p.src);
      if (lstatSync(src.hostPath, { throwIfNoEntry: false }) === undefined) throw new Error(`"${p.src}" does not exist in the source layer`);
      copyTree(ctx, name, src.hostPath, p.dst, !p.contentsOnly, owners);
    });
  },
};
