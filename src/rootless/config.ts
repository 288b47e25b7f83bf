// `[strata] rootless` of the project: read from .buckconfig.local, then .buckconfig, of the nearest directory above
// the working directory that has a .buckconfig (Buck2 runs actions, and the local driver runs, in the project root).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/** the value of `key` in section `section` of a Buck2 config file's text, or undefined */
export function configValue(text: string, section: string, key: string): string | undefined {
  let current = "";
  let found: string | undefined;
  for (const raw of text.split("\n")) {
    const line = raw.replace(/[#;].*$/, "").trim();
    const head = /^\[(.+)\]$/.exec(line);
    if (head !== null) current = head[1]!.trim();
    else if (current === section) {
      const kv = /^([^=\s]+)\s*=\s*(.*)$/.exec(line);
      if (kv !== null && kv[1] === key) found = kv[2]!.trim();
    }
  }
  return found;
}

export function projectRootlessSetting(cwd = process.cwd()): { value: string; file: string } | undefined {
  for (let dir = cwd; ; dir = dirname(dir)) {
    if (existsSync(join(dir, ".buckconfig"))) {
      for (const name of [".buckconfig.local", ".buckconfig"]) {
        const file = join(dir, name);
        if (!existsSync(file)) continue;
        const value = configValue(readFileSync(file, "utf8"), "strata", "rootless");
        if (value !== undefined) return { value, file };
      }
      return undefined;
    }
    if (dirname(dir) === dir) return undefined;
  }
}
