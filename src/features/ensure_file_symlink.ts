// ensure_file_symlink(link, target): a symlink whose target must be a file.
import type { z } from "zod";
import { symlinkModule, symlinkSchema } from "./symlink-common.js";

const schema = symlinkSchema("ensure_file_symlink");
export type EnsureFileSymlink = z.infer<typeof schema>;
export const ensureFileSymlink = symlinkModule<EnsureFileSymlink>("ensure_file_symlink", schema, false);
