// Bad input to the Debian rules fails at analysis, before anything is built, with one error naming the target and
// the package: a package not in the lock (with the command that updates it), apt_remove of a package that is not
// installed, removing what another package needs, two flavors in one layer chain, apt features without a flavor,
// and a missing `[strata] debian_mirror`.
import { beforeAll, expect, it } from "vitest";
import { describeBtrfs } from "../helpers/volume.js";
import type { Project } from "../rules/project.js";
import { debianProject } from "./project.js";

const T_BUCK = `
load("//rules:defs.bzl", "feature", "flavor", "image")

flavor(name = "other", repo = "//debian:bookworm-repo")

image.layer(name = "unknown", flavor = "//debian:bookworm", features = [feature.apt_install(packages = ["jq", "no-such-package"])])
image.layer(name = "rm-missing", parent_layer = "//examples/debian:base", features = [feature.apt_remove(packages = ["hello"])])
image.layer(name = "rm-needed", parent_layer = "//examples/debian:tools", features = [feature.apt_remove(packages = ["libjq1"])])
image.layer(name = "mixed", parent_layer = "//examples/debian:base", flavor = ":other", features = [feature.apt_install(packages = ["jq"])])
image.layer(name = "noflavor", features = [feature.apt_install(packages = ["jq"])])
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

  it("a package not in the lock names it and the command that updates the lock", async () => {
    const text = await layerFailure("//t:unknown");
    expect(text).toContain("package no-such-package not in the lock of root//debian:bookworm-repo");
    expect(text).toContain("strata deb-lock --manifest debian/bookworm.json --out debian/bookworm.lock.json");
    expect(text).not.toMatch(/package jq\b/);
  });

  it("apt_remove of a package the parent does not have", async () => {
    expect(await layerFailure("//t:rm-missing")).toContain("feature.apt_remove: package hello is not installed in the parent layer");
  });

  it("removing a package that a remaining package depends on names both", async () => {
    expect(await layerFailure("//t:rm-needed")).toContain("removing package libjq1 breaks jq");
  });

  it("a child asking for another flavor than its parent's names both", async () => {
    expect(await layerFailure("//t:mixed")).toContain("flavor root//t:other differs from its parent's flavor root//debian:bookworm");
  });

  it("apt features need a flavor", async () => {
    expect(await failure("//t:noflavor")).toContain("feature.apt_install needs a flavor");
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
