// Whether this strata process should enter a user namespace before it does anything: as root nothing changes;
// as anyone else the build is rootless. `--rootless=`, `STRATA_ROOTLESS` or the project's `[strata] rootless`
// (entry.ts) force either way: `true` makes root build rootless too (with root's own subordinate range), `false`
// runs without a namespace (for anyone but root only the copy backend then works).
import { StrataError } from "../errors.js";
import { inUserNamespace } from "../storage/userns.js";

export type RootlessSetting = "auto" | "true" | "false";

const TRUE = ["1", "true", "yes", "on"];
const FALSE = ["0", "false", "no", "off"];

export function parseRootlessSetting(value: string | undefined, from: string): RootlessSetting {
  const v = (value ?? "").trim().toLowerCase();
  if (v === "" || v === "auto") return "auto";
  if (TRUE.includes(v)) return "true";
  if (FALSE.includes(v)) return "false";
  throw new StrataError({
    label: "strata",
    message: `${from} is not a rootless setting`,
    expected: "true, false or auto (1/0, yes/no also work)",
    found: JSON.stringify(value),
    notes: ["auto (the default): rootless when not run as root"],
  });
}

/** "enter": re-run inside a user namespace; "stay": run here as is */
export function rootlessDecision(setting: RootlessSetting, uid = process.getuid?.() ?? 0): "enter" | "stay" {
  // root of a user namespace (strata's own, or a container's) is as root as strata gets
  if (uid === 0) return setting === "true" && !inUserNamespace() ? "enter" : "stay";
  // as before rootless builds: no namespace, so only the copy backend works (src/storage/volume.ts says so)
  if (setting === "false") return "stay";
  return "enter";
}
