// Real Debian images through the local driver: //examples/debian:base bootstrapped from the bookworm lock, the
// :tools child with seven packages, their image tests, the facts the package phase leaves, and determinism (two
// builds in separate working volumes give identical trees, xattrs included). Downloads come from the configured
// mirror once per machine (the driver keeps sha256-pinned downloads by digest).
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, expect, it } from "vitest";
import { describeBtrfs } from "../helpers/volume.js";
import { outputOf, type Project } from "../rules/project.js";
import { listTree, strata } from "../runner/helpers.js";
import { debianProject } from "./project.js";

/** every xattr of the tree (file capabilities live in security.capability), as getfattr prints it */
function xattrs(root: string): string {
  return execFileSync("getfattr", ["-R", "-P", "-h", "-d", "-m", "-", "-e", "hex", "."], { cwd: root, encoding: "utf8" });
}

describeBtrfs("debian images (local driver, real packages)", () => {
  let project: Project;
  let base: string;
  let baseOut: string;
  let tools: string;

  beforeAll(async () => {
    project = debianProject({
      "t/BUCK": `
load("//rules:defs.bzl", "feature", "image")
image.layer(name = "over", parent_layer = "//examples/debian:tools", features = [feature.install_text(dst = "/usr/bin/jq", text = "x\\n")])
image.layer(name = "needs", parent_layer = "//examples/debian:tools", features = [feature.requires(files = ["/usr/bin/jq"])])
image.layer(name = "purged", parent_layer = "//examples/debian:tools", features = [feature.apt_remove(packages = ["hello"]), feature.apt_remove_if_exists(packages = ["jq", "libjq1", "libonig5"])])
`,
    });
    const built = await project.build(["//examples/debian:base", "//examples/debian:tools"]);
    baseOut = outputOf(built, "//examples/debian:base");
    base = realpathSync(baseOut);
    tools = realpathSync(outputOf(built, "//examples/debian:tools"));
  });

  it("bootstraps a merged-/usr Debian base whose dpkg database is clean", () => {
    expect(execFileSync("readlink", [`${base}/bin`], { encoding: "utf8" }).trim()).toBe("usr/bin");
    const out = execFileSync("chroot", [base, "dpkg-query", "-W", "-f=${Package} ${db:Status-Abbrev}\n", "dpkg", "bash", "libcap2-bin"], { encoding: "utf8" });
    expect(out).toBe("bash ii \ndpkg ii \nlibcap2-bin ii \n");
  });

  it("runs the image tests of examples/debian inside the layers (base, tools, build appliance)", async () => {
    const r = await project.local(["test", "//examples/debian:"]);
    expect(String(r.stderr) + String(r.stdout)).toMatch(/Pass 3\. Fail 0/);
    expect(r.exitCode).toBe(0);
  }, 900_000); // builds whole Debian layer chains: minutes on a loaded 2-core machine

  it("keeps iputils-ping's file capability in the image, as the host sees it", () => {
    expect(execFileSync("getcap", [`${tools}/usr/bin/ping`], { encoding: "utf8" })).toContain("cap_net_raw=ep");
  });

  it("names the owning package when a later feature writes over a package's file", async () => {
    const r = await project.local(["build", "//t:over"]);
    expect(r.exitCode, String(r.stderr)).not.toBe(0);
    expect(String(r.stderr)).toMatch(/"\/usr\/bin\/jq" already exists in the parent layer/);
    expect(String(r.stderr)).toMatch(/apt_install \(package jq 1\.6-2\.1\+deb12u\d+\)/);
  });

  it("satisfies a requires on a package's binary, and purges packages with apt_remove / apt_remove_if_exists", async () => {
    await project.build(["//t:needs"]);
    const purged = realpathSync(outputOf(await project.build(["//t:purged"]), "//t:purged"));
    const status = execFileSync("chroot", [purged, "dpkg-query", "-W", "-f=${Package} ${db:Status-Abbrev}\n"], { encoding: "utf8" });
    expect(status).not.toMatch(/^hello ii/m);
    expect(status).not.toMatch(/^jq ii/m);
    expect(status).toMatch(/^mawk ii/m);
    expect(execFileSync("chroot", [purged, "dpkg", "--audit"], { encoding: "utf8" })).toBe("");
  });

  it("builds the same base and child trees in a second working volume: contents, modes, owners, times and xattrs", async () => {
    const again = await debianProject().build(["//examples/debian:base", "//examples/debian:tools"]);
    for (const [target, first] of [["//examples/debian:base", base], ["//examples/debian:tools", tools]] as const) {
      const other = realpathSync(outputOf(again, target));
      expect(other).not.toBe(first);
      const a = listTree(first);
      const b = listTree(other);
      const differing = a.filter((e, i) => JSON.stringify(e) !== JSON.stringify(b[i])).map((e) => e.path);
      expect(differing, target).toEqual([]);
      expect(b.length).toBe(a.length);
      expect(xattrs(other)).toBe(xattrs(first));
    }
  }, 900_000); // builds whole Debian layer chains: minutes on a loaded 2-core machine

  /** a one-file .deb whose postinst prints a line and exits `exit` */
  function fakeDeb(name: string, exit: number): { deb: string; sha256: string } {
    const dir = join(project.root, "fake", name);
    mkdirSync(join(dir, "DEBIAN"), { recursive: true });
    mkdirSync(join(dir, "usr/share/doc", name), { recursive: true });
    writeFileSync(join(dir, "usr/share/doc", name, "README"), "fake\n");
    writeFileSync(join(dir, "DEBIAN/control"), `Package: ${name}\nVersion: 1.0\nArchitecture: all\nMaintainer: strata tests <tests@localhost>\nDescription: a test package\n`);
    writeFileSync(join(dir, "DEBIAN/postinst"), `#!/bin/sh\necho "postinst of ${name} says no"\nexit ${exit}\n`, { mode: 0o755 });
    const deb = join(project.root, "fake", `${name}.deb`);
    execFileSync("dpkg-deb", ["--build", "--root-owner-group", dir, deb], { stdio: "ignore" });
    return { deb, sha256: createHash("sha256").update(readFileSync(deb)).digest("hex") };
  }

  async function installFake(name: string, sha256: string, deb: string) {
    const features = join(project.root, "fake", `${name}-features.json`);
    const debEntry = { name, version: "1.0", architecture: "all", sha256, essential: false, pre_depends: [], depends: [], deb };
    writeFileSync(features, JSON.stringify([{ type: "apt_install", label: "//t:bad", packages: [name], resolved: { bootstrap: false, flavor: "//debian:bookworm", debs: [debEntry] } }]));
    const out = join(project.root, "fake", `${name}-out`);
    const r = await strata(["compile", "--label", "//t:bad", "--phase", "package_manager", "--features", features, "--out", out, "--parent", baseOut, "--working-volume", join(project.root, "strata-out")]);
    return { r, out };
  }

  it("a failing maintainer script fails the phase with its output, and publishes nothing", async () => {
    const { deb, sha256 } = fakeDeb("strata-fails", 3);
    const { r, out } = await installFake("strata-fails", sha256, deb);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^error: \/\/t:bad: apt_install\(packages=.*\): dpkg --install failed for package strata-fails/m);
    expect(r.stderr).toContain("postinst of strata-fails says no");
    expect(existsSync(out)).toBe(false);
  });

  it("a .deb whose sha256 is not the lock's is refused before anything runs", async () => {
    const { deb } = fakeDeb("strata-ok", 0);
    const { r, out } = await installFake("strata-ok", "0".repeat(64), deb);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^error: \/\/t:bad: .*package strata-ok 1\.0: the \.deb has the wrong sha256/m);
    expect(existsSync(out)).toBe(false);
  });
});
