// The project's Buck2 configuration as strata reads it outside Buck2: .buckconfig with .buckconfig.local laid over it,
// in the nearest directory with a .buckconfig. Buck2's own syntax: whole-line comments, continuation lines.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

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

/** A value of the project's configuration and the file it came from (.buckconfig.local laid over .buckconfig). */
export function projectConfigEntry(projectRoot: string, section: string, key: string): { value: string; file: string } | undefined {
  for (const name of [".buckconfig.local", ".buckconfig"]) {
    const file = join(projectRoot, name);
    if (!existsSync(file)) continue;
    const value = parseBuckconfig(readFileSync(file, "utf8")).get(section)?.get(key);
    if (value !== undefined) return { value, file };
  }
  return undefined;
}

/** A value of the project's configuration (.buckconfig, then .buckconfig.local over it), or undefined. */
export function readProjectConfig(projectRoot: string, section: string, key: string): string | undefined {
  return projectConfigEntry(projectRoot, section, key)?.value;
}

/** The project root: the nearest directory at or above `from` with a `.buckconfig`, or undefined. */
export function findProjectRoot(from: string): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    if (existsSync(join(dir, ".buckconfig"))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}
