// user_add(username, primary_group, home_dir, shell, uid, supplementary_groups, comment): an account in the image's
// /etc/passwd (and /etc/shadow when the image has one), with its supplementary group memberships.
import { z } from "zod";
import { lowestFreeId, readGroup, readPasswd, writeImageText } from "../image/passwd.js";
import { EXISTS, IS_DIR, asFeatureError, describeFeature, featureError, imagePathSchema, labelSchema, requireGroup, requirePath } from "./common.js";
import type { FeatureModule } from "./types.js";
import { addMembers, appendLine, idSchema, nameSchema } from "./users-common.js";

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
export type UserAdd = z.infer<typeof userAddSchema>;

export const userAdd: FeatureModule<UserAdd> = {
  type: "user_add",
  phase: "compile",
  schema: userAddSchema as unknown as z.ZodType<UserAdd>,
  describe: (f) => describeFeature("user_add", { username: f.username }),
  analyze: (f) => ({
    requires: [
      requirePath(f.home_dir, IS_DIR, false),
      requirePath(f.shell ?? "/sbin/nologin", { kind: "executable" }, false),
      requirePath("/etc/passwd", EXISTS),
      requirePath("/etc/group", EXISTS),
      ...[...new Set([f.primary_group, ...(f.supplementary_groups ?? [])])].map(requireGroup),
    ],
    provides: [{ kind: "user", name: f.username }],
  }),
  async compile(f, ctx) {
    const name = this.describe(f);
    await asFeatureError(ctx, name, () => {
      const passwd = readPasswd(ctx.root);
      if (passwd.get(f.username) !== undefined) throw featureError(ctx, name, `user "${f.username}" already exists in the image`, "a new user name", "an existing user");
      const groups = readGroup(ctx.root);
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
