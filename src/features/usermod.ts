// usermod(username, add_supplementary_groups): adds an existing user to more groups (/etc/group member lists).
import { z } from "zod";
import { readGroup, readPasswd, writeImageText } from "../image/passwd.js";
import { asFeatureError, describeFeature, featureError, labelSchema, requireGroup, requireUser } from "./common.js";
import type { FeatureModule } from "./types.js";
import { addMembers, nameSchema } from "./users-common.js";

const usermodSchema = z.strictObject({ type: z.literal("usermod"), label: labelSchema, username: nameSchema, add_supplementary_groups: z.array(nameSchema).min(1) });
export type Usermod = z.infer<typeof usermodSchema>;

export const usermod: FeatureModule<Usermod> = {
  type: "usermod",
  phase: "compile",
  schema: usermodSchema,
  describe: (f) => describeFeature("usermod", { username: f.username, add_supplementary_groups: f.add_supplementary_groups }),
  analyze: (f) => ({
    requires: [requireUser(f.username), ...f.add_supplementary_groups.map(requireGroup)],
    provides: [],
  }),
  async compile(f, ctx) {
    const name = this.describe(f);
    await asFeatureError(ctx, name, () => {
      const passwd = readPasswd(ctx.root);
      if (passwd.get(f.username) === undefined) throw featureError(ctx, name, "missing", `user "${f.username}" is not in the image's /etc/passwd`, "an existing user", "no such user");
      const groups = readGroup(ctx.root);
      addMembers(ctx, name, groups, f.username, f.add_supplementary_groups);
      ctx.touched(writeImageText(ctx.root, "/etc/group", groups.serialize(), ctx.epoch));
    });
  },
};
