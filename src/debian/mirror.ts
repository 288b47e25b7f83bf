// The Debian archive strata downloads from: `[strata] debian_mirror` in the project's .buckconfig, with
// .buckconfig.local laid over it (scripts/bootstrap.sh writes the host's apt mirror there). The repository itself
// names no archive host.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { requestEnv } from "../request-context.js";
import { StrataError } from "../errors.js";
import { packageRoot } from "../package-root.js";

/** `[section] key = value` pairs of a buckconfig file (comments, blank lines and continuation lines handled). */
export function parseBuckconfig(text: string): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  let section: Map<string, string> | undefined;
  let lastKey: string | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.replace(/\r$/, "");
    const stripped = line.trim();
    if (stripped === "" || stripped.startsWith("#") || stripped.startsWith(";")) continue;
    if (/^[ \t]/.test(line) && section !== undefined && lastKey !== undefined && !stripped.includes("=")) {
      section.set(lastKey, `${section.get(lastKey)} ${stripped}`);
      continue;
    }
    const header = /^\[\s*([^\]]+?)\s*\]$/.exec(stripped);
    if (header) {
      const name = header[1]!;
      section = out.get(name) ?? new Map();
      out.set(name, section);
      lastKey = undefined;
      continue;
    }
    const eq = stripped.indexOf("=");
    if (eq > 0 && section !== undefined) {
      lastKey = stripped.slice(0, eq).trim();
      section.set(lastKey, stripped.slice(eq + 1).trim());
    }
  }
  return out;
}

/** A value of the project's configuration (.buckconfig, then .buckconfig.local over it), or undefined. */
export function readProjectConfig(projectRoot: string, section: string, key: string): string | undefined {
  let value: string | undefined;
  for (const name of [".buckconfig", ".buckconfig.local"]) {
    const path = join(projectRoot, name);
    if (!existsSync(path)) continue;
    const v = parseBuckconfig(readFileSync(path, "utf8")).get(section)?.get(key);
    if (v !== undefined) value = v;
  }
  return value;
}

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
