// group_add(groupname, gid): a group in the image's /etc/group (and /etc/gshadow when the image has one).
import { z } from "zod";
import { lowestFreeId, readGroup, writeImageText } from "../image/passwd.js";
import { EXISTS, asFeatureError, describeFeature, featureError, labelSchema, requirePath } from "./common.js";
import type { FeatureModule } from "./types.js";
import { appendLine, idSchema, nameSchema } from "./users-common.js";

const groupAddSchema = z.strictObject({ type: z.literal("group_add"), label: labelSchema, groupname: nameSchema, gid: idSchema });
export type GroupAdd = z.infer<typeof groupAddSchema>;

export const groupAdd: FeatureModule<GroupAdd> = {
  type: "group_add",
  phase: "compile",
  schema: groupAddSchema,
  describe: (f) => describeFeature("group_add", { groupname: f.groupname, gid: f.gid }),
  analyze: (f) => ({ requires: [requirePath("/etc/group", EXISTS)], provides: [{ kind: "group", name: f.groupname }] }),
  async compile(f, ctx) {
    const name = this.describe(f);
    await asFeatureError(ctx, name, () => {
      const groups = readGroup(ctx.root);
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
