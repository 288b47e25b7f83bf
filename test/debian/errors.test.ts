// Bad input to the Debian rules fails with one error naming the target and the package. At analysis: two flavors in
// one layer chain, and a missing `[strata] debian_mirror`. In the layer's first action, before any package is
// fetched, at the user's `feature.apt_*` call (issue 19 item 4): a package not in the lock (with the command that
// updates it, runnable as printed), a name in no index of the archive (a typo, with "did you mean"), apt features
// without a flavor (naming the flavors the project declares), apt_remove of a package that is not installed, and
// removing what another package needs.
import { execa } from "execa";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, expect, it } from "vitest";
import { describeBtrfs } from "../helpers/volume.js";
import type { Project } from "../rules/project.js";
import { debianProject } from "./project.js";
import { copyProject, makeCopy, repoRoot } from "../buck2/harness.js";

const T_BUCK = `
load("//rules:defs.bzl", "feature", "flavor", "image")

flavor(name = "other", repo = "//debian:bookworm-repo")

image.layer(name = "unknown", flavor = "//debian:bookworm", features = [feature.apt_install(packages = ["jq", "pyton3"])])
image.layer(name = "rm-missing", parent_layer = "//examples/debian:base", features = [feature.apt_remove(packages = ["hello"])])
image.layer(name = "rm-needed", parent_layer = "//examples/debian:tools", features = [feature.apt_remove(packages = ["libjq1"])])
image.layer(name = "mixed", parent_layer = "//examples/debian:base", flavor = ":other", features = [feature.apt_install(packages = ["jq"])])
image.layer(name = "noflavor", features = [feature.apt_install(packages = ["jq"])])
image.layer(name = "notlocked", flavor = "//debian:bookworm", features = [feature.apt_install(packages = ["jq", "python3"])])
`;

describeBtrfs("debian rules: errors at analysis (local driver)", () => {
  let project: Project;
  beforeAll(() => {
    project = debianProject({ "t/BUCK": T_BUCK, "u/BUCK": 'load("//rules:defs.bzl", "feature")\nx = feature.apt_install(packages = [])\n' });
  });

  async function failure(target: string): Promise<string> {
    const r = await project.local(["build", target]);
    expect(r.exitCode, String(r.stderr)).not.toBe(0);
    const text = String(r.stderr);
    expect(text).toMatch(/^(\S+:\d+:\d+: )?error: /m);
    return text;
  }

  /** the one error line, which names the layer target */
  async function layerFailure(target: string): Promise<string> {
    const text = await failure(target);
    const lines = text.split("\n").filter((l) => /^(\S+:\d+:\d+: )?error: /.test(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`image.layer root${target}`);
    return text;
  }

  /** the runner's error lines (`path:line:col: error: ...`), without the summary of several */
  const placed = (text: string): string[] => text.split("\n").filter((l) => /^\S+:\d+:\d+: error: /.test(l));

  it("a name in no index of the archive is a typo, at the user's apt_install call, with did you mean", async () => {
    const text = await failure("//t:unknown");
    expect(placed(text)).toEqual([
      expect.stringMatching(/^t\/BUCK:6:73: error: root\/\/t:unknown: apt_install\(packages=\["jq","pyton3"\]\): package "pyton3" is in no index of the archive: a typo\? did you mean "python3"/),
    ]);
    expect(text).toContain('  fix:      feature.apt_install(packages = ["jq", "python3"])');
    expect(text).not.toContain("apt_plan.bzl");
    expect(text).not.toContain("to the manifest");
  }, 120_000);

  it("a package of the archive not in the lock: at the call, with the command to run, which runs as printed", async () => {
    const text = await failure("//t:notlocked");
    expect(placed(text)).toEqual(['t/BUCK:11:75: error: root//t:notlocked: apt_install(packages=["jq","python3"]): package "python3" is not in the lock of root//debian:bookworm-repo']);
    const fix = /^ {2}fix: {6}add "python3" to "packages" in (\S+), then run: (.+)$/m.exec(text);
    expect(fix, text).not.toBeNull();
    expect(fix![1]).toBe("debian/bookworm.json");
    expect(fix![2]).toBe("npx strata deb-lock --manifest debian/bookworm.json --out debian/bookworm.lock.json");
    // as the fix says, in a checkout of its own (all the project's files: `npx strata` prepares the package there
    // as in a fresh clone), so the lock of this suite's project stays as it is
    const other = makeCopy(copyProject("deblock-"), process.execPath, [join(repoRoot, "bin", "strata.mjs"), "local"]);
    other.write("t/BUCK", T_BUCK);
    const manifest = JSON.parse(readFileSync(join(other.root, fix![1]!), "utf8")) as { packages: string[] };
    writeFileSync(join(other.root, fix![1]!), JSON.stringify({ ...manifest, packages: [...manifest.packages, "python3"] }, null, 2) + "\n");
    const [cmd, ...args] = fix![2]!.split(" ");
    const run = await execa(cmd!, args, { cwd: other.root, reject: false });
    expect(run.exitCode, `${fix![2]}:\n${String(run.stderr)}`).toBe(0);
    const lock = JSON.parse(readFileSync(join(other.root, "debian/bookworm.lock.json"), "utf8")) as { roots: string[]; packages: Record<string, unknown> };
    expect(lock.roots).toContain("python3");
    expect(Object.keys(lock.packages)).toEqual(expect.arrayContaining(["python3", "jq"]));
    // and the layer now has a plan (analysis only: its features file)
    const built = await other.run(["build", "//t:notlocked[debug][package_manager][features]", "--show-output"]);
    expect(built.exitCode, String(built.stderr)).toBe(0);
    const out = /\S+\[features\] (\S+)/.exec(String(built.stdout))![1]!;
    const written = JSON.parse(readFileSync(join(other.root, out), "utf8")) as Array<{ resolved?: { debs?: Array<{ name: string }> } }>;
    expect(written[0]!.resolved!.debs!.map((d) => d.name)).toContain("python3");
  }, 300_000);

  it("apt_remove of a package the parent does not have: at the call, with apt_remove_if_exists as the fix", async () => {
    const text = await failure("//t:rm-missing");
    expect(placed(text)).toEqual(['t/BUCK:7:87: error: root//t:rm-missing: apt_remove(packages=["hello"]): package "hello" is not installed in the parent layer']);
    expect(text).toContain('  fix:      feature.apt_remove_if_exists(packages = ["hello"]), to allow that');
    expect(text).not.toContain("apt_plan.bzl");
  }, 300_000);

  it("removing a package that a remaining package depends on names both, at the call", async () => {
    const text = await failure("//t:rm-needed");
    expect(placed(text)).toEqual(['t/BUCK:8:87: error: root//t:rm-needed: apt_remove(packages=["libjq1"]): removing package "libjq1" breaks "jq", which depends on it']);
    expect(text).toContain('  fix:      feature.apt_remove(packages = ["libjq1", "jq"]) to remove "jq" too, or keep "libjq1"');
  }, 300_000);

  it("a child asking for another flavor than its parent's names both", async () => {
    expect(await layerFailure("//t:mixed")).toContain("flavor root//t:other differs from its parent's flavor root//debian:bookworm");
  });

  it("apt features need a flavor: at the call, naming the flavors the project declares", async () => {
    const text = await failure("//t:noflavor");
    expect(placed(text)).toEqual(['t/BUCK:10:44: error: root//t:noflavor: apt_install(packages=["jq"]): feature.apt_install needs a flavor: the layer and its parents name none']);
    expect(text).toContain("  found:    the project declares the flavors //debian:bookworm, //debian:bookworm-bootstrap");
    expect(text).toContain('  fix:      image.layer(..., flavor = "//debian:bookworm") on this layer or a parent layer');
  });

  it("apt_install with no packages", async () => {
    expect(await failure("//u:x")).toContain("feature.apt_install: attribute `packages` must name at least one package");
  });

  it("a missing [strata] debian_mirror is one error naming the key", async () => {
    project.write(".buckconfig.local", "# no mirror\n");
    try {
      expect(await failure("//debian:bookworm-repo")).toContain("`[strata] debian_mirror` is not set");
    } finally {
      project.write(".buckconfig.local", "[strata]\n  debian_mirror = http://mirror.invalid/debian\n");
    }
  });
});
