// Real Buck2 beside the local driver: two copies of the project, one built by each, compared tree by tree.
//
// A later feature adds its real-Buck2 case in a few lines:
//
//   describeBuck2("my feature under real Buck2", () => {
//     const twin = useTwin({ "my/BUCK": `${RULES_LOAD}image.layer(name = "x", features = [...])\n` });
//     it("builds the same tree", async () => {
//       await twin().expectSameLayers(["//my:x"]);
//     });
//   });
//
// Buck2 is `STRATA_BUCK2` (an explicit path: it must work, the suite never skips then) or `buck2` on PATH. Without
// either the suite is skipped with a message. Each copy has its own `buck-out/v2` and `strata-out/` working volume
// (Buck2 and the driver both write `buck-out/v2`), and Buck2 keeps one daemon per copy; `useTwin` kills it afterAll.
import { execa, type Result } from "execa";
import { execFileSync } from "node:child_process";
import { accessSync, constants, cpSync, existsSync, mkdirSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject } from "vitest";
import { freshBtrfsDir } from "../helpers/volume.js";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const RULES_LOAD = 'load("//rules:defs.bzl", "feature", "image")\n';

/** Where Buck2 is, or why the suite cannot run. */
export function findBuck2(): { bin: string | null; reason: string } {
  const explicit = process.env.STRATA_BUCK2;
  if (explicit !== undefined && explicit !== "") return { bin: explicit, reason: "STRATA_BUCK2" };
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(dir, "buck2");
    try {
      accessSync(candidate, constants.X_OK);
      return { bin: candidate, reason: "PATH" };
    } catch {
      /* next */
    }
  }
  return { bin: null, reason: "no Buck2: set STRATA_BUCK2 to a buck2 binary or put buck2 on PATH" };
}

/**
 * describe() for suites that need real Buck2 and the btrfs test volume. Skips with the reason when Buck2 is not
 * found (never when STRATA_BUCK2 is set: then a broken Buck2 fails the suite) or the volume is unavailable.
 */
export const describeBuck2 = (name: string, fn: () => void): void => {
  const { bin, reason } = findBuck2();
  const btrfs = inject("btrfsRoot");
  if (bin !== null && btrfs !== null) describe(name, fn);
  else describe.skip(`${name} (skipped: ${bin === null ? reason : inject("btrfsUnavailableReason")})`, fn);
};

export interface Copy {
  root: string;
  /** the program `run` starts: the buck2 binary, or node for the local driver */
  command: string;
  /** Runs the tool in this copy (buck2, or `node bin/strata.mjs local`); never rejects. */
  run(args: string[], options?: { input?: string }): Promise<Result>;
  write(rel: string, text: string): void;
}

/** `--show-output` lines (`root//pkg:name[sub] path`) as target -> absolute path; `//pkg:name` is accepted for lookups. */
export class Outputs {
  constructor(
    readonly map: Map<string, string>,
    readonly stdout: string,
  ) {}
  static parse(stdout: string, root: string): Outputs {
    const map = new Map<string, string>();
    for (const line of stdout.split("\n")) {
      const m = /^(\S+)\s+(\S+)$/.exec(line.trim());
      if (m) map.set(m[1]!, resolve(root, m[2]!));
    }
    return new Outputs(map, stdout);
  }
  of(target: string): string {
    const hit = this.map.get(target) ?? this.map.get(`root${target}`);
    if (hit === undefined) throw new Error(`no output for ${target} in:\n${this.stdout}`);
    return hit;
  }
}

export interface Twin {
  buck2: Copy;
  local: Copy;
  /** Builds `targets` under both; fails with the tool's stderr if either fails. */
  build(targets: string[]): Promise<{ buck2: Outputs; local: Outputs }>;
  /** Builds `layers` under both and expects each to be the same tree (see `tree`). */
  expectSameLayers(layers: string[]): Promise<void>;
  /** Stops this twin's Buck2 daemon. */
  close(): Promise<void>;
}

/** The project's files (tracked and new, not ignored), the built runner (`dist/`) copied, `node_modules` linked. */
export function copyProject(prefix: string): string {
  const root = freshBtrfsDir(prefix);
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: repoRoot, encoding: "utf8" })
    .split("\0")
    .filter((f) => f !== "");
  for (const f of files) {
    const src = join(repoRoot, f);
    try {
      accessSync(src);
    } catch {
      continue; // deleted in the work tree, not yet committed
    }
    mkdirSync(dirname(join(root, f)), { recursive: true });
    cpSync(src, join(root, f), { verbatimSymlinks: true });
  }
  // machine-local configuration ([strata] debian_mirror, written by scripts/bootstrap.sh): ignored by git
  if (existsSync(join(repoRoot, ".buckconfig.local"))) cpSync(join(repoRoot, ".buckconfig.local"), join(root, ".buckconfig.local"));
  cpSync(join(repoRoot, "dist"), join(root, "dist"), { recursive: true });
  symlinkSync(join(repoRoot, "node_modules"), join(root, "node_modules"));
  return root;
}

function childEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== "STRATA_WORKING_VOLUME") env[k] = v;
  return env;
}

export function makeCopy(root: string, command: string, prefixArgs: string[]): Copy {
  return {
    root,
    command,
    run: (args, options = {}) =>
      execa(command, [...prefixArgs, ...args], {
        cwd: root,
        reject: false,
        extendEnv: false,
        env: childEnv(),
        input: options.input ?? "",
      }),
    write(rel, text) {
      mkdirSync(dirname(join(root, rel)), { recursive: true });
      writeFileSync(join(root, rel), text);
    },
  };
}

/** Two fresh copies of the project with `files` written into both. */
export function newTwin(files: Record<string, string> = {}): Twin {
  const { bin } = findBuck2();
  if (bin === null) throw new Error("newTwin: no Buck2 (use describeBuck2)");
  const buck2 = makeCopy(copyProject("buck2-"), bin, []);
  const local = makeCopy(copyProject("local-"), process.execPath, [join(repoRoot, "bin", "strata.mjs"), "local"]);
  for (const [rel, text] of Object.entries(files)) {
    buck2.write(rel, text);
    local.write(rel, text);
  }
  const build = async (targets: string[]): Promise<{ buck2: Outputs; local: Outputs }> => {
    const [b, l] = await Promise.all([buck2.run(["build", ...targets, "--show-output"]), local.run(["build", ...targets, "--show-output"])]);
    if (b.exitCode !== 0) throw new Error(`buck2 build ${targets.join(" ")} failed (exit ${b.exitCode}):\n${String(b.stderr)}`);
    if (l.exitCode !== 0) throw new Error(`local build ${targets.join(" ")} failed (exit ${l.exitCode}):\n${String(l.stderr)}`);
    return { buck2: Outputs.parse(String(b.stdout), buck2.root), local: Outputs.parse(String(l.stdout), local.root) };
  };
  return {
    buck2,
    local,
    build,
    async expectSameLayers(layers) {
      const out = await build(layers);
      const [fromBuck2, fromLocal] = [trees(layers.map((t) => out.buck2.of(t))), trees(layers.map((t) => out.local.of(t)))];
      layers.forEach((t, i) => expect(fromLocal[i], `${t}: the local driver's tree differs from Buck2's`).toEqual(fromBuck2[i]));
    },
    async close() {
      await buck2.run(["kill"]);
    },
  };
}

export async function checkBuck2Works(): Promise<string> {
  const { bin } = findBuck2();
  if (bin === null) throw new Error("no Buck2 (use describeBuck2)");
  // Buck2 must work when it is asked for: a broken binary fails here, it does not skip
  const version = await execa(bin, ["--version"], { reject: false });
  if (version.exitCode !== 0) throw new Error(`STRATA_BUCK2/PATH Buck2 does not work: ${version.message}\n${version.stderr}`);
  return bin;
}

/** One copy of the project for Buck2 alone (made beforeAll, its daemon killed afterAll); call the result inside tests. */
export function useBuck2Project(files: Record<string, string> = {}): () => Copy {
  let copy: Copy | null = null;
  beforeAll(async () => {
    copy = makeCopy(copyProject("buck2-"), await checkBuck2Works(), []);
    for (const [rel, text] of Object.entries(files)) copy.write(rel, text);
  });
  afterAll(async () => {
    await copy?.run(["kill"]);
  });
  return () => {
    if (copy === null) throw new Error("useBuck2Project: the copy is made in beforeAll");
    return copy;
  };
}

/** A twin made beforeAll (with `files`) and whose Buck2 daemon is killed afterAll; call the result inside tests. */
export function useTwin(files: Record<string, string> = {}): () => Twin {
  let twin: Twin | null = null;
  beforeAll(async () => {
    await checkBuck2Works();
    twin = newTwin(files);
  });
  afterAll(async () => {
    await twin?.close();
  });
  return () => {
    if (twin === null) throw new Error("useTwin: the twin is made in beforeAll");
    return twin;
  };
}

// One process for many trees: type, permission bits, owner, mtime (ns), sha256 of contents or link text, and every
// extended attribute (name=hex value) of each entry, in sorted path order. atimes are left out (reading moves them).
const TREE_PY = `
import hashlib, json, os, stat, sys
def tree(root):
    out = []
    def visit(rel):
        p = os.path.join(root, rel) if rel else root
        st = os.lstat(p)
        m = st.st_mode
        kind = "d" if stat.S_ISDIR(m) else "l" if stat.S_ISLNK(m) else "f" if stat.S_ISREG(m) else "c" if stat.S_ISCHR(m) else "b" if stat.S_ISBLK(m) else "p" if stat.S_ISFIFO(m) else "?"
        body = ""
        if kind == "f":
            with open(p, "rb") as f: body = hashlib.sha256(f.read()).hexdigest()
        elif kind == "l":
            body = "-> " + os.readlink(p)
        elif kind in "cb":
            body = "%d,%d" % (os.major(st.st_rdev), os.minor(st.st_rdev))
        xattrs = ",".join(n + "=" + os.getxattr(p, n, follow_symlinks=False).hex() for n in sorted(os.listxattr(p, follow_symlinks=False)))
        out.append(" ".join(["/" + rel, kind, oct(stat.S_IMODE(m)), "%d:%d" % (st.st_uid, st.st_gid), str(st.st_mtime_ns), body, xattrs]).rstrip())
        if kind == "d":
            for n in sorted(os.listdir(p)): visit(os.path.join(rel, n) if rel else n)
    visit("")
    return out
json.dump([tree(r) for r in sys.argv[1:]], sys.stdout)
`;

/** The trees at `paths` (layer outputs: symlinks are followed), each one line per entry, in path order. */
export function trees(paths: string[]): string[][] {
  const out = execFileSync("python3", ["-c", TREE_PY, ...paths.map((p) => realpathSync(p))], { encoding: "utf8", maxBuffer: 1 << 30 });
  return JSON.parse(out) as string[][];
}

/** One tree (see `trees`). */
export function tree(path: string): string[] {
  return trees([path])[0]!;
}

/**
 * Output paths written into a file, with each tool's output layout replaced by `buck-out/<out>/`: Buck2 puts a
 * configured target's outputs under `buck-out/v2/art/<cell>/<configuration hash>/`, the driver under
 * `buck-out/v2/gen/<cell>/`. Everything else must be byte for byte the same.
 */
export function normalizeOutputPaths(text: string): string {
  return text.replace(/buck-out\/v2\/(?:art\/root\/[0-9a-f]{16}|gen\/root)\//g, "buck-out/<out>/");
}

/** The distinct `error: ...` lines of a tool's stderr, trimmed (Buck2 indents the ones under `Caused by:`). */
export function errorLines(stderr: string): string[] {
  // Buck2 prints `error: ...` (indented under `Caused by:`); the driver prints `path/BUCK:line:col: error: ...`, a
  // location an editor can open, in front of the same `error: ...`
  const lines = stderr
    .split("\n")
    .map((l) => l.trim().replace(/^[^\s:]+:\d+(?::\d+)?: (?=error: )/, ""))
    .filter((l) => l.startsWith("error: "));
  return [...new Set(lines)];
}
