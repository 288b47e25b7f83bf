// group_add(groupname, gid, uidmap): a group in the image's /etc/group (and /etc/gshadow when the image has one).
// Re-adding a group the image already has with the same gid changes nothing (antlir2); another gid is an error.
import { z } from "zod";
import { lowestFreeId, readGroup, writeImageText } from "../image/passwd.js";
import type { GroupFact } from "../types.js";
import { EXISTS, asFeatureError, describeFeature, featureError, labelSchema, requirePath } from "./common.js";
import type { FeatureModule } from "./types.js";
import { appendLine, idSchema, nameSchema, requestedId, uidmapSchema } from "./users-common.js";

const groupAddSchema = z.strictObject({ type: z.literal("group_add"), label: labelSchema, groupname: nameSchema, gid: idSchema, uidmap: uidmapSchema });
export type GroupAdd = z.infer<typeof groupAddSchema>;

/** An existing group is what this feature would add (its gid, when one is asked for, matches). */
function sameGroup(existing: Pick<GroupFact, "gid">, gid: number | undefined): boolean {
  return gid === undefined || existing.gid === gid;
}

export const groupAdd: FeatureModule<GroupAdd> = {
  type: "group_add",
  phase: "compile",
  schema: groupAddSchema,
  describe: (f) => describeFeature("group_add", { groupname: f.groupname, gid: f.gid }),
  analyze(f, ctx) {
    const gid = requestedId(ctx, this.describe(f), "groups", f.groupname, f.gid, f.uidmap);
    const existing = ctx.parent.group(f.groupname);
    const reAdd = existing !== undefined && sameGroup(existing, gid);
    return { requires: [requirePath("/etc/group", EXISTS)], provides: [{ kind: "group", name: f.groupname, ...(reAdd ? { reAdd: true } : {}) }] };
  },
  async compile(f, ctx) {
    const name = this.describe(f);
    await asFeatureError(ctx, name, () => {
      const wanted = requestedId(ctx, name, "groups", f.groupname, f.gid, f.uidmap);
      const groups = readGroup(ctx.root);
      const existing = groups.get(f.groupname);
      if (existing !== undefined) {
        if (sameGroup(existing, wanted)) return;
        throw featureError(ctx, name, "conflict", `group "${f.groupname}" already exists in the image with another gid`, `gid ${wanted}`, `gid ${existing.gid}`);
      }
      const used = groups.entries().map((e) => e.gid);
      if (wanted !== undefined && used.includes(wanted)) {
        const owner = groups.entries().find((e) => e.gid === wanted)!.name;
        throw featureError(ctx, name, "conflict", `gid ${wanted} is already used by group "${owner}"`, "an unused gid", `gid of "${owner}"`);
      }
      groups.add({ name: f.groupname, password: "x", gid: wanted ?? lowestFreeId(used), members: [] });
      ctx.touched(writeImageText(ctx.root, "/etc/group", groups.serialize(), ctx.epoch));
      appendLine(ctx, "/etc/gshadow", `${f.groupname}:!::`);
    });
  },
};
