// Whether this strata process should enter a user namespace before it does anything: as root nothing changes;
// as anyone else the build is rootless. `--rootless=`, `STRATA_ROOTLESS` or the project's `[strata] rootless`
// (entry.ts) force either way: `true` makes root build rootless too (with root's own subordinate range), `false`
// asks for root and fails for anyone else.
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
  if (setting === "false") {
    throw new StrataError({
      label: "strata",
      message: "rootless builds are turned off (STRATA_ROOTLESS or [strata] rootless = false), and this is not root",
      expected: "uid 0, or rootless builds allowed",
      found: `uid ${uid}`,
      notes: ["run strata as root, or drop the setting: an ordinary user then builds inside a user namespace"],
    });
  }
  return "enter";
}
