// ensure_dir_symlink(link, target): a symlink whose target must be a directory.
import type { z } from "zod";
import { symlinkModule, symlinkSchema } from "./symlink-common.js";

const schema = symlinkSchema("ensure_dir_symlink");
export type EnsureDirSymlink = z.infer<typeof schema>;
export const ensureDirSymlink = symlinkModule<EnsureDirSymlink>("ensure_dir_symlink", schema, true);
