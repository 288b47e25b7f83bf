// What the parent layers' feature.requires name, handed to an apt removal: it must leave each of them in place.
// Here, below both the apt feature modules (which read it from the features file) and the dpkg removal (which
// checks it), so neither imports the other's room for it.
import { z } from "zod";

/** kind path, user or group; `by` the declaring target */
export const neededSchema = z.array(z.strictObject({ kind: z.enum(["path", "user", "group"]), name: z.string().min(1), by: z.string().min(1) })).optional();
export type Needed = NonNullable<z.infer<typeof neededSchema>>;
