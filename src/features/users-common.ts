// What group_add, user_add and usermod share. They edit the IMAGE's /etc/group and /etc/passwd; user_add also
// /etc/shadow (created when missing, as antlir2 does) and group_add /etc/gshadow when the image has one.
// An id comes from `uid`/`gid`, else from a checked-in `uidmap`, else it is the lowest free id >= 1000 in the
// image's files as written so far (features earlier in the phase count; the order is the depgraph's deterministic
// one). New accounts get a locked password ("!!" in /etc/shadow, as antlir2 writes it) and empty aging fields (no
// date, for determinism). An id already taken is a compile error, never a silent duplicate. Adding a user or group
// that the image already has is accepted, and changes nothing, when it is identical (antlir2's idempotent re-add);
// otherwise it is an error. usermod edits /etc/group member lists only (not /etc/gshadow).
import { readFileSync } from "node:fs";
import { z } from "zod";
import { GroupFile, readImageText, writeImageText } from "../image/passwd.js";
import { featureError, projectSourcePath } from "./common.js";
import type { CompileContext } from "./types.js";

export const nameSchema = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*\$?$/, { message: "a user/group name of letters, digits, _ . -" });
export const idSchema = z.number().int().min(0).max(0xfffffffe).nullable().optional();

export function appendLine(ctx: CompileContext, path: string, line: string): void {
  const text = readImageText(ctx.root, path);
  if (text === null) return;
  const sep = text === "" || text.endsWith("\n") ? "" : "\n";
  ctx.touched(writeImageText(ctx.root, path, text + sep + line + "\n", ctx.epoch));
}

export function addMembers(ctx: CompileContext, name: string, groups: GroupFile, user: string, wanted: string[]): void {
  for (const g of wanted) {
    const e = groups.get(g);
    if (e === undefined) throw featureError(ctx, name, "missing", `group "${g}" is not in the image's /etc/group`, "an existing group", "no such group");
    if (!e.members.includes(user)) e.members.push(user);
  }
}

/**
 * `uidmap`: the path of a checked-in name-to-id map (JSON `{"users": {"name": uid}, "groups": {"name": gid}}`), so
 * that the same user has the same id in every image. The Starlark twin resolves antlir2's bare names ("antlir")
 * to the project's `//uidmaps:<name>` target.
 */
export const uidmapSchema = z.string().min(1).nullable().optional();

const idMapSchema = z.record(z.string(), z.number().int().min(0).max(0xfffffffe));
const uidmapFileSchema = z.strictObject({ users: idMapSchema.optional().default({}), groups: idMapSchema.optional().default({}) });
type UidmapFile = z.infer<typeof uidmapFileSchema>;

const loaded = new Map<string, UidmapFile>();

function loadUidmap(ctx: { label: string; projectRoot: string }, feature: string, path: string): UidmapFile {
  const file = projectSourcePath(ctx.projectRoot, path);
  const seen = loaded.get(file);
  if (seen !== undefined) return seen;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw featureError(ctx, feature, "io", `cannot read the uidmap "${path}": ${(e as Error).message}`, 'a JSON file {"users": {...}, "groups": {...}}', "unreadable or not JSON");
  }
  const r = uidmapFileSchema.safeParse(parsed);
  if (!r.success) throw featureError(ctx, feature, "schema", `the uidmap "${path}" is not a name-to-id map: ${r.error.issues[0]?.message}`, '{"users": {"name": uid}, "groups": {"name": gid}}', JSON.stringify(parsed).slice(0, 120));
  loaded.set(file, r.data);
  return r.data;
}

/**
 * The id a user_add/group_add asks for: `explicit` (uid/gid), else the uidmap's entry (missing: an error, as in
 * antlir2), else undefined (allocated at compile time).
 */
export function requestedId(
  ctx: { label: string; projectRoot: string },
  feature: string,
  kind: "users" | "groups",
  name: string,
  explicit: number | null | undefined,
  uidmap: string | null | undefined,
): number | undefined {
  if (uidmap == null) return explicit ?? undefined;
  const attr = kind === "users" ? "uid" : "gid";
  if (explicit != null) throw featureError(ctx, feature, "schema", `give either ${attr} or uidmap, not both`, `${attr} = ${explicit} or uidmap = "${uidmap}"`, "both");
  const id = loadUidmap(ctx, feature, uidmap)[kind][name];
  if (id === undefined) throw featureError(ctx, feature, "missing", `${kind === "users" ? "user" : "group"} "${name}" is not in the uidmap "${uidmap}"`, `an entry "${name}" under "${kind}"`, "no such entry");
  return id;
}
