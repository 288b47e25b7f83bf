// The Debian archive strata downloads from: `[strata] debian_mirror` in the project's .buckconfig, with
// .buckconfig.local laid over it (scripts/bootstrap.sh writes the host's apt mirror there). The repository itself
// names no archive host.
import { join } from "node:path";
import { readProjectConfig } from "../buckconfig.js";
import { requestEnv } from "../request-context.js";
import { StrataError } from "../errors.js";
import { packageRoot } from "../package-root.js";

/** The configured archive URL without a trailing slash; one clear error naming the key when it is not set. */
export function debianMirror(projectRoot: string = packageRoot(), label = "strata"): string {
  const env = requestEnv()["STRATA_DEBIAN_MIRROR"];
  const value = env !== undefined && env.trim() !== "" ? env : readProjectConfig(projectRoot, "strata", "debian_mirror");
  if (value === undefined || value.trim() === "") {
    throw new StrataError({
      label,
      message: "`[strata] debian_mirror` is not set",
      expected: "the Debian archive URL in .buckconfig.local (`bash scripts/bootstrap.sh` copies the host's apt mirror there) or STRATA_DEBIAN_MIRROR",
      found: `no debian_mirror in ${join(projectRoot, ".buckconfig")} or ${join(projectRoot, ".buckconfig.local")}`,
    });
  }
  return value.trim().replace(/\/+$/, "");
}

/** The URL of an archive file from its pool filename (the Packages index's `Filename`). */
export function poolUrl(filename: string, mirror: string = debianMirror()): string {
  return `${mirror}/${filename.replace(/^\/+/, "")}`;
}
