// The antlir2 compatibility suite: antlir2's own feature tests (antlir/antlir2/features/*/tests and the depgraph
// tests), as an antlir2 user would bring them (load lines changed, Meta-only attributes dropped; TARGETS here,
// BUCK in the scratch project), built with the local driver. Each image_diff_test layer is checked against
// antlir2's TOML expectation; image_sh_tests run inside their layers; each expected-failure case
// (bad_depgraph) must fail here too. With STRATA_BUCK2
// set, the same packages are also built with real Buck2.
import { beforeAll, expect, it } from "vitest";
import { execa } from "execa";
import { chmodSync, readFileSync, readdirSync, realpathSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describeBtrfs } from "../helpers/volume.js";
import { newProject, parseShowOutput, type Project } from "../rules/project.js";
import { compareDiff, readToml } from "./diff.js";

const here = dirname(fileURLToPath(import.meta.url));

/** The fixture tree as project files: TARGETS becomes BUCK; this suite's own .ts files stay out. */
function fixtureFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  const visit = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) visit(p);
      else if (!name.endsWith(".ts")) files[relative(here, p).replace(/(^|\/)TARGETS$/, "$1BUCK")] = readFileSync(p, "utf8");
    }
  };
  visit(here);
  return files;
}

interface Call {
  rule: string;
  attrs: Record<string, string>;
}

/** Top-level calls of a BUCK file with their string attributes (antlir2's files are buildifier-formatted). */
function calls(text: string): Call[] {
  const out: Call[] = [];
  const re = /^([a-z_.]+)\(\n([\s\S]*?)^\)/gm;
  for (const m of text.matchAll(re)) {
    const attrs: Record<string, string> = {};
    for (const a of m[2]!.matchAll(/^ {4}([a-z_]+) = "([^"]*)",?$/gm)) attrs[a[1]!] = a[2]!;
    out.push({ rule: m[1]!, attrs });
  }
  return out;
}

const PACKAGES = ["install", "ensure_dir_exists", "group", "user", "usermod", "symlink", "remove", "hardlink", "genrule", "clone", "tarball", "mount"]
  .map((f) => `antlir/antlir2/features/${f}/tests`)
  .concat(["antlir/antlir2/antlir2_depgraph/tests"]);

/** What strata says for each of antlir2's expected failures (antlir2's own error_regex names its Rust types). */
const STRATA_ERRORS: Record<string, RegExp> = {
  cycle: /cycle/,
  "conflict-with-installed-dir": /\/foo\/bar/,
  "missing-dep": /\/foo/,
  "bad-validator": /\/fakeshell/,
  "conflict-in-same-layer": /\/foo/,
  "conflict-with-parent": /\/foo/,
  "symlink-conflict-with-parent": /\/foo/,
  "clone-with-missing-src": /\/bar/,
  "clone-conflict-inside-dir": /\/cloned\/foo/,
  "clone-with-missing-user": /antlir/,
  "conflicting-mounts": /\/mnt/,
  "install-under-mount-fails": /\/mnt/,
};

/** Checks one image_diff_test's layer against its TOML, from the manifest the shim rule wrote. */
function checkDiff(root: string, manifestPath: string | undefined, target: string, short: string): void {
  expect(manifestPath, target).toBeDefined();
  const m = JSON.parse(readFileSync(manifestPath!, "utf8")) as { layer: string; parent: string | null; diff: string; layer_label: string };
  const layer = realpathSync(resolve(root, m.layer));
  const parent = m.parent === null ? null : realpathSync(resolve(root, m.parent));
  const problems = compareDiff(layer, parent, readToml(resolve(root, m.diff)));
  expect(problems, `${target} (${m.layer_label}) against ${m.diff}`).toEqual([]);
  // antlir2 checks this one with an image_rust_test: the link is the same inode as its target
  if (short === "hardlink") expect(statSync(join(layer, "aloha.txt")).ino).toBe(statSync(join(layer, "hello.txt")).ino);
}

describeBtrfs("antlir2 compatibility: antlir2's feature tests build here and mean the same", () => {
  let project: Project;
  const buckFiles = new Map<string, Call[]>();

  beforeAll(() => {
    const files = fixtureFiles();
    // the scratch project is a repository (genrule-with-repo looks for one when bind_repo_ro shows it)
    project = newProject({ ...files, ".git/HEAD": "ref: refs/heads/main\n" });
    // a checkout is readable by all (mkdtemp made it 0700): genrules running as nobody with bind_repo_ro start there
    chmodSync(project.root, 0o755);
    for (const pkg of PACKAGES) buckFiles.set(pkg, calls(files[`${pkg}/BUCK`] ?? ""));
  });

  for (const pkg of PACKAGES) {
    const short = pkg.split("/").slice(-2, -1)[0]!;
    it(`${short}: every layer builds and every image_diff_test matches antlir2's TOML`, async () => {
      const all = buckFiles.get(pkg)!;
      expect(all.length).toBeGreaterThan(0);
      const bad = new Set(all.filter((c) => c.rule === "bad_depgraph").map((c) => c.attrs.name!));
      const layers = all.filter((c) => (c.rule === "image.layer" || c.rule === "good_depgraph") && !bad.has(c.attrs.name!)).map((c) => `//${pkg}:${c.attrs.name}`);
      const diffs = all.filter((c) => c.rule === "image_diff_test").map((c) => `//${pkg}:${c.attrs.name}`);
      const built = await project.build([...layers, ...diffs]);
      for (const target of diffs) checkDiff(project.root, built.outputs.get(target) ?? built.outputs.get(`root${target}`), target, short);
      const tests = all.filter((c) => c.rule === "image_sh_test" || c.rule === "image_test").map((c) => `//${pkg}:${c.attrs.name}`);
      if (tests.length > 0) {
        const r = await project.local(["test", ...tests]);
        expect(r.exitCode, String(r.stderr)).toBe(0);
        expect(String(r.stderr)).toContain(`Pass ${tests.length}. Fail 0.`);
      }
      for (const name of bad) {
        const r = await project.local(["build", `//${pkg}:${name}`]);
        expect(r.exitCode, `${name} must fail, as in antlir2`).not.toBe(0);
        expect(String(r.stderr)).toMatch(/^(\S+:\d+:\d+: )?error: /m);
        expect(String(r.stderr), name).toMatch(STRATA_ERRORS[name] ?? /./);
      }
    }, 600_000); // a package builds many layers: minutes on a loaded 2-core machine
  }

  it("a features list takes None entries (skipped, as in antlir2); a select() entry takes its branch (DEFAULT in the local driver)", async () => {
    project.write(
      "compat_lists/BUCK",
      [
        'load("//rules:defs.bzl", "feature", "image")',
        'image.layer(name = "with-none", features = [None, feature.ensure_dirs_exist(dirs = "/a"), [None]])',
      ].join("\n") + "\n",
    );
    const built = await project.build(["//compat_lists:with-none"]);
    const out = built.outputs.get("root//compat_lists:with-none") ?? built.outputs.get("//compat_lists:with-none");
    expect(statSync(join(realpathSync(out!), "a")).isDirectory()).toBe(true);
    project.write(
      "compat_select/BUCK",
      'load("//rules:defs.bzl", "feature", "image")\nimage.layer(name = "with-select", features = [select({"DEFAULT": feature.ensure_dirs_exist(dirs = "/b"), "//x:never": None})])\n',
    );
    const sel = await project.build(["//compat_select:with-select"]);
    const selOut = sel.outputs.get("root//compat_select:with-select") ?? sel.outputs.get("//compat_select:with-select");
    expect(statSync(join(realpathSync(selOut!), "b")).isDirectory()).toBe(true);
  });

  it.runIf(process.env.STRATA_BUCK2 !== undefined)("the same packages build with real Buck2", async () => {
    const buck2 = process.env.STRATA_BUCK2!;
    const targets = PACKAGES.flatMap((pkg) => {
      const all = buckFiles.get(pkg)!;
      const bad = new Set(all.filter((c) => c.rule === "bad_depgraph").map((c) => c.attrs.name!));
      return all.filter((c) => ["image.layer", "good_depgraph", "image_diff_test"].includes(c.rule) && !bad.has(c.attrs.name!)).map((c) => `//${pkg}:${c.attrs.name}`);
    });
    try {
      const r = await execa(buck2, ["build", ...targets, "--show-output"], { cwd: project.root, reject: false, all: true });
      expect(r.exitCode, String(r.all)).toBe(0);
      // every image_diff_test built by Buck2 is checked against antlir2's TOML too
      const outputs = parseShowOutput(String(r.stdout), project.root);
      let checked = 0;
      for (const pkg of PACKAGES) {
        for (const c of buckFiles.get(pkg)!.filter((c) => c.rule === "image_diff_test")) {
          const t = `//${pkg}:${c.attrs.name}`;
          checkDiff(project.root, outputs.get(`root${t}`) ?? outputs.get(t), t, pkg.split("/").slice(-2, -1)[0]!);
          checked++;
        }
      }
      expect(checked).toBeGreaterThan(20);
    } finally {
      await execa(buck2, ["kill"], { cwd: project.root, reject: false });
    }
  }, 900_000);
});
