// requires(files, users, groups): an assertion only; the depgraph checks it, compile does nothing.
import { z } from "zod";
import { IS_FILE, describeFeature, imagePathSchema, labelSchema, requireGroup, requirePath, requireUser } from "./common.js";
import type { FeatureModule } from "./types.js";

const schema = z.strictObject({
  type: z.literal("requires"),
  label: labelSchema,
  files: z.array(imagePathSchema).optional().default([]),
  users: z.array(z.string().min(1)).optional().default([]),
  groups: z.array(z.string().min(1)).optional().default([]),
});
export type Requires = z.infer<typeof schema>;

export const requires: FeatureModule<Requires> = {
  type: "requires",
  phase: "compile",
  schema: schema as unknown as z.ZodType<Requires>,
  describe: (f) => describeFeature("requires", { files: f.files, users: f.users, groups: f.groups }),
  analyze: (f) => ({
    requires: [
      ...(f.files ?? []).map((p) => requirePath(p, IS_FILE)),
      ...(f.users ?? []).map(requireUser),
      ...(f.groups ?? []).map(requireGroup),
    ],
    provides: [],
  }),
  async compile() {},
};
