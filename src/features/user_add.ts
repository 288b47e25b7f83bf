// user_add(username, primary_group, home_dir, shell, uid, supplementary_groups, comment, uidmap,
// add_primary_group_member): an account in the image's /etc/passwd and /etc/shadow, with its group memberships,
// as antlir2 writes them: the user joins its primary group's member list (unless add_primary_group_member=False);
// /etc/shadow gets "name:!!:::::::" and, when the image has none, is created with mode 0o000 holding "*" entries
// for the users already in /etc/passwd. Re-adding a user the image already has, identically, changes nothing.
import { z } from "zod";
import { lowestFreeId, readGroup, readImageText, readPasswd, writeImageText, type PasswdEntry } from "../image/passwd.js";
import { EXISTS, IS_DIR, asFeatureError, describeFeature, featureError, imagePathSchema, labelSchema, requireGroup, requirePath } from "./common.js";
import type { AnalyzeContext, CompileContext, FeatureModule } from "./types.js";
import { addMembers, idSchema, nameSchema, requestedId, uidmapSchema } from "./users-common.js";

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
  uidmap: uidmapSchema,
  add_primary_group_member: z.boolean().optional().default(true),
});
export type UserAdd = z.infer<typeof userAddSchema>;

/** The fields of an existing account that must match for a re-add to be a no-op (uid only when one is asked for). */
function sameUser(existing: { uid: number; gid: number; home: string; shell: string; comment: string }, f: UserAdd, uid: number | undefined, gid: number | undefined): boolean {
  return (uid === undefined || existing.uid === uid) && existing.gid === gid && existing.home === f.home_dir && existing.shell === (f.shell ?? "/sbin/nologin") && existing.comment === (f.comment ?? "");
}

function describeUser(e: { uid: number; gid: number; home: string; shell: string; comment: string }): string {
  return `uid ${e.uid}, gid ${e.gid}, home "${e.home}", shell "${e.shell}", comment "${e.comment}"`;
}

const SHADOW_MODE = 0o000;

/** Adds the locked shadow entry; creates /etc/shadow as antlir2 does when the image has none. */
function addShadow(ctx: CompileContext, passwd: PasswdEntry[], username: string): void {
  const text = readImageText(ctx.root, "/etc/shadow");
  const line = `${username}:!!:::::::`;
  if (text === null) {
    const existing = passwd.filter((e) => e.name !== username).map((e) => `${e.name}:*:::::::\n`);
    ctx.touched(writeImageText(ctx.root, "/etc/shadow", existing.join("") + line + "\n", ctx.epoch, SHADOW_MODE));
    return;
  }
  const sep = text === "" || text.endsWith("\n") ? "" : "\n";
  ctx.touched(writeImageText(ctx.root, "/etc/shadow", text + sep + line + "\n", ctx.epoch));
}

function analyze(this: FeatureModule<UserAdd>, f: UserAdd, ctx: AnalyzeContext) {
  const uid = requestedId(ctx, this.describe(f), "users", f.username, f.uid, f.uidmap);
  const existing = ctx.parent.user(f.username);
  const reAdd = existing !== undefined && sameUser(existing, f, uid, ctx.parent.group(f.primary_group)?.gid);
  return {
    requires: [
      requirePath(f.home_dir, IS_DIR, false),
      requirePath(f.shell ?? "/sbin/nologin", { kind: "executable" } as const, false),
      requirePath("/etc/passwd", EXISTS),
      requirePath("/etc/group", EXISTS),
      ...[...new Set([f.primary_group, ...(f.supplementary_groups ?? [])])].map(requireGroup),
    ],
    provides: [{ kind: "user" as const, name: f.username, ...(reAdd ? { reAdd: true } : {}) }],
  };
}

export const userAdd: FeatureModule<UserAdd> = {
  type: "user_add",
  phase: "compile",
  schema: userAddSchema as unknown as z.ZodType<UserAdd>,
  describe: (f) => describeFeature("user_add", { username: f.username }),
  analyze,
  async compile(f, ctx) {
    const name = this.describe(f);
    await asFeatureError(ctx, name, () => {
      const wanted = requestedId(ctx, name, "users", f.username, f.uid, f.uidmap);
      const passwd = readPasswd(ctx.root);
      const groups = readGroup(ctx.root);
      const primary = groups.get(f.primary_group);
      if (primary === undefined) throw featureError(ctx, name, "missing", `group "${f.primary_group}" is not in the image's /etc/group`, "an existing group", "no such group");
      const existing = passwd.get(f.username);
      if (existing !== undefined) {
        if (sameUser(existing, f, wanted, primary.gid)) return;
        const asked = { uid: wanted ?? existing.uid, gid: primary.gid, home: f.home_dir, shell: f.shell ?? "/sbin/nologin", comment: f.comment ?? "" };
        throw featureError(ctx, name, "conflict", `user "${f.username}" already exists in the image with other settings`, describeUser(asked), describeUser(existing));
      }
      const used = passwd.entries().map((e) => e.uid);
      if (wanted !== undefined && used.includes(wanted)) {
        const owner = passwd.entries().find((e) => e.uid === wanted)!.name;
        throw featureError(ctx, name, "conflict", `uid ${wanted} is already used by user "${owner}"`, "an unused uid", `uid of "${owner}"`);
      }
      const uid = wanted ?? lowestFreeId(used);
      passwd.add({ name: f.username, password: "x", uid, gid: primary.gid, comment: f.comment ?? "", home: f.home_dir, shell: f.shell ?? "/sbin/nologin" });
      ctx.touched(writeImageText(ctx.root, "/etc/passwd", passwd.serialize(), ctx.epoch));
      addShadow(ctx, passwd.entries(), f.username);
      const memberOf = [...(f.supplementary_groups ?? []), ...(f.add_primary_group_member !== false ? [f.primary_group] : [])];
      if (memberOf.length > 0) {
        addMembers(ctx, name, groups, f.username, memberOf);
        ctx.touched(writeImageText(ctx.root, "/etc/group", groups.serialize(), ctx.epoch));
      }
    });
  },
};
