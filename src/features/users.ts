// group_add, user_add, usermod: edit the IMAGE's /etc/group, /etc/passwd (and /etc/shadow, /etc/gshadow when
// the image has them; they are never created: an image without them does not use shadow passwords).
// Ids left unset get the lowest free id ≥ 1000 in the image's files as written so far, so features applied
// earlier in the phase count; the order is the depgraph's deterministic one. New accounts get a locked
// password ("!") and empty aging fields (no date, for determinism). An explicit uid/gid that is already taken
// (including by an earlier allocation in the phase) is a compile error, never a silent duplicate. usermod edits
// /etc/group member lists only (not /etc/gshadow).
import { z } from "zod";
import { GroupFile, PasswdFile, lowestFreeId, readImageText, writeImageText } from "../image/passwd.js";
import { EXISTS, IS_DIR, asFeatureError, describeFeature, featureError, imagePathSchema, labelSchema, requirePath } from "./common.js";
import type { CompileContext, FeatureModule } from "./types.js";
import type { Requirement } from "../types.js";

const nameSchema = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*\$?$/, { message: "a user/group name of letters, digits, _ . -" });
const idSchema = z.number().int().min(0).max(0xfffffffe).nullable().optional();

const groupAddSchema = z.strictObject({ type: z.literal("group_add"), label: labelSchema, groupname: nameSchema, gid: idSchema });
const userAddSchema = z.strictObject({
  type: z.literal("user_add"),
  label: labelSchema,
  username: nameSchema,
  primary_group: nameSchema,
  home_dir: imagePathSchema,
  shell: imagePathSchema.optional().default("/sbin/nologin"),
  uid: idSchema,
  supplementary_groups: z.array(nameSchema).optional().default([]),
  comment: z.string().refine((s) => !s.includes(":") && !s.includes("\n"), { message: 'a comment without ":" or newlines' }).optional().default(""),
});
const usermodSchema = z.strictObject({ type: z.literal("usermod"), label: labelSchema, username: nameSchema, add_supplementary_groups: z.array(nameSchema).min(1) });

export type GroupAdd = z.infer<typeof groupAddSchema>;
export type UserAdd = z.infer<typeof userAddSchema>;
export type Usermod = z.infer<typeof usermodSchema>;

const needGroup = (g: string): Requirement => ({ key: `group:${g}`, ordered: true, validator: EXISTS });

function loadGroups(ctx: CompileContext): GroupFile {
  return GroupFile.parse(readImageText(ctx.root, "/etc/group") ?? "");
}

function appendLine(ctx: CompileContext, path: string, line: string): void {
  const text = readImageText(ctx.root, path);
  if (text === null) return;
  const sep = text === "" || text.endsWith("\n") ? "" : "\n";
  ctx.touched(writeImageText(ctx.root, path, text + sep + line + "\n", ctx.epoch));
}

function addMembers(ctx: CompileContext, name: string, groups: GroupFile, user: string, wanted: string[]): void {
  for (const g of wanted) {
    const e = groups.get(g);
    if (e === undefined) throw featureError(ctx, name, `group "${g}" is not in the image's /etc/group`, "an existing group", "no such group");
    if (!e.members.includes(user)) e.members.push(user);
  }
}

export const groupAdd: FeatureModule<GroupAdd> = {
  type: "group_add",
  schema: groupAddSchema,
  describe: (f) => describeFeature("group_add", { groupname: f.groupname, gid: f.gid }),
  analyze: (f) => ({ requires: [requirePath("/etc/group", EXISTS)], provides: [{ kind: "group", name: f.groupname }] }),
  async compile(f, ctx) {
    const name = this.describe(f);
    await asFeatureError(ctx, name, () => {
      const groups = loadGroups(ctx);
      if (groups.get(f.groupname) !== undefined) throw featureError(ctx, name, `group "${f.groupname}" already exists in the image`, "a new group name", "an existing group");
      const used = groups.entries().map((e) => e.gid);
      if (f.gid != null && used.includes(f.gid)) {
        const owner = groups.entries().find((e) => e.gid === f.gid)!.name;
        throw featureError(ctx, name, `gid ${f.gid} is already used by group "${owner}"`, "an unused gid", `gid of "${owner}"`);
      }
      groups.add({ name: f.groupname, password: "x", gid: f.gid ?? lowestFreeId(used), members: [] });
      ctx.touched(writeImageText(ctx.root, "/etc/group", groups.serialize(), ctx.epoch));
      appendLine(ctx, "/etc/gshadow", `${f.groupname}:!::`);
    });
  },
};

export const userAdd: FeatureModule<UserAdd> = {
  type: "user_add",
  schema: userAddSchema as unknown as z.ZodType<UserAdd>,
  describe: (f) => describeFeature("user_add", { username: f.username }),
  analyze: (f) => ({
    requires: [
      requirePath(f.home_dir, IS_DIR, false),
      requirePath(f.shell ?? "/sbin/nologin", { kind: "executable" }, false),
      requirePath("/etc/passwd", EXISTS),
      requirePath("/etc/group", EXISTS),
      ...[...new Set([f.primary_group, ...(f.supplementary_groups ?? [])])].map(needGroup),
    ],
    provides: [{ kind: "user", name: f.username }],
  }),
  async compile(f, ctx) {
    const name = this.describe(f);
    await asFeatureError(ctx, name, () => {
      const passwd = PasswdFile.parse(readImageText(ctx.root, "/etc/passwd") ?? "");
      if (passwd.get(f.username) !== undefined) throw featureError(ctx, name, `user "${f.username}" already exists in the image`, "a new user name", "an existing user");
      const groups = loadGroups(ctx);
      const primary = groups.get(f.primary_group);
      if (primary === undefined) throw featureError(ctx, name, `group "${f.primary_group}" is not in the image's /etc/group`, "an existing group", "no such group");
      const used = passwd.entries().map((e) => e.uid);
      if (f.uid != null && used.includes(f.uid)) {
        const owner = passwd.entries().find((e) => e.uid === f.uid)!.name;
        throw featureError(ctx, name, `uid ${f.uid} is already used by user "${owner}"`, "an unused uid", `uid of "${owner}"`);
      }
      const uid = f.uid ?? lowestFreeId(used);
      passwd.add({ name: f.username, password: "x", uid, gid: primary.gid, comment: f.comment ?? "", home: f.home_dir, shell: f.shell ?? "/sbin/nologin" });
      ctx.touched(writeImageText(ctx.root, "/etc/passwd", passwd.serialize(), ctx.epoch));
      const supplementary = f.supplementary_groups ?? [];
      if (supplementary.length > 0) {
        addMembers(ctx, name, groups, f.username, supplementary);
        ctx.touched(writeImageText(ctx.root, "/etc/group", groups.serialize(), ctx.epoch));
      }
      appendLine(ctx, "/etc/shadow", `${f.username}:!:::::::`);
    });
  },
};

export const usermod: FeatureModule<Usermod> = {
  type: "usermod",
  schema: usermodSchema,
  describe: (f) => describeFeature("usermod", { username: f.username, add_supplementary_groups: f.add_supplementary_groups }),
  analyze: (f) => ({
    requires: [{ key: `user:${f.username}`, ordered: true, validator: EXISTS }, ...f.add_supplementary_groups.map(needGroup)],
    provides: [],
  }),
  async compile(f, ctx) {
    const name = this.describe(f);
    await asFeatureError(ctx, name, () => {
      const passwd = PasswdFile.parse(readImageText(ctx.root, "/etc/passwd") ?? "");
      if (passwd.get(f.username) === undefined) throw featureError(ctx, name, `user "${f.username}" is not in the image's /etc/passwd`, "an existing user", "no such user");
      const groups = loadGroups(ctx);
      addMembers(ctx, name, groups, f.username, f.add_supplementary_groups);
      ctx.touched(writeImageText(ctx.root, "/etc/group", groups.serialize(), ctx.epoch));
    });
  },
};
