// `strata lint [PATHS]`: checks BUCK and .bzl files for what evaluation cannot see, for CI, pre-commit hooks and
// editors. Today one check: `mode = <decimal literal>` (mode-literals.ts). Under real Buck2 this is the only guard:
// Buck2 evaluates `mode = 644` to the int 0o1204 and never sees the literal.
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import type { ArgumentsCamelCase, Argv, CommandModule } from "yargs";
import { findProjectRoot } from "../buckconfig.js";
import { StrataError } from "../errors.js";
import { requestCwd, requestStdout } from "../request-context.js";
import { decimalModes } from "./mode-literals.js";

const BUILD_FILES = new Set(["BUCK", "BUCK.v2", "TARGETS", "TARGETS.v2"]);
// build outputs, dependencies and VCS data hold no build files of the project
const SKIPPED_DIRS = new Set(["node_modules", "buck-out", "strata-out"]);

interface LintArgs {
  paths: string[];
}

export function isStarlarkFile(path: string): boolean {
  return BUILD_FILES.has(basename(path)) || path.endsWith(".bzl");
}

/** The BUCK and .bzl files under `path` (or `path` itself), sorted, skipping hidden and output directories. */
export function starlarkFiles(path: string): string[] {
  const st = statSync(path);
  if (!st.isDirectory()) return [path];
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!entry.name.startsWith(".") && !SKIPPED_DIRS.has(entry.name)) walk(full);
      } else if (entry.isFile() && isStarlarkFile(entry.name)) {
        out.push(full);
      }
    }
  };
  walk(path);
  return out;
}


/** `path:line:col: error: ...` lines for every finding in `files` (relative to `base`), paths as given. */
export function lintFiles(files: string[], base: string): string[] {
  const lines: string[] = [];
  for (const file of files) {
    const src = readFileSync(resolve(base, file), "utf8");
    if (!src.includes("mode")) continue;
    for (const d of decimalModes(src)) lines.push(`${file}:${d.line}:${d.col}: error: ${d.message}`);
  }
  return lines;
}

export const lintCommand: CommandModule<object, LintArgs> = {
  command: "lint [paths..]",
  builder: (y: Argv) =>
    y.positional("paths", {
      type: "string",
      array: true,
      default: [],
      describe: "BUCK/.bzl files or directories to check (default: the project, the nearest directory with a .buckconfig)",
    }) as unknown as Argv<LintArgs>,
  handler: async (argv: ArgumentsCamelCase<LintArgs>) => {
    const cwd = requestCwd();
    const paths = argv.paths.length > 0 ? argv.paths : [findProjectRoot(cwd) ?? resolve(cwd)];
    const files: string[] = [];
    for (const p of paths) {
      const abs = resolve(cwd, p);
      if (!existsSync(abs)) throw new StrataError({ label: "strata lint", message: `no such file or directory: ${p}`, expected: "a BUCK or .bzl file or a directory", found: p });
      files.push(...starlarkFiles(abs).map((f) => relative(cwd, f) || f));
    }
    const lines = lintFiles(files, cwd);
    const out = requestStdout();
    for (const line of lines) out.write(line + "\n");
    // exit 1 through the usual user-error path (a summary on stderr), after the findings on stdout
    if (lines.length > 0) {
      throw new StrataError({ label: "strata lint", message: `${lines.length} \`mode =\` literal${lines.length > 1 ? "s" : ""} written in decimal (listed above)` });
    }
  },
};
