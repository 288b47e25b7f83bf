// Real Debian images through the local driver: //examples/debian:base bootstrapped from the bookworm lock, the
// :tools child with seven packages, their image tests, the facts the package phase leaves, and determinism (two
// builds in separate working volumes give identical trees, xattrs included). Downloads come from the configured
// mirror once per machine (the driver keeps sha256-pinned downloads by digest).
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { beforeAll, expect, it } from "vitest";
import { describeBtrfs } from "../helpers/volume.js";
import { outputOf, type Project } from "../rules/project.js";
import { listTree, strata } from "../runner/helpers.js";
import { makeBusyboxRoot } from "../isolation/busybox-root.js";
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
image.layer(name = "needs-jq", parent_layer = "//examples/debian:tools", features = [feature.requires(files = ["/usr/bin/jq"], groups = ["uuidd"])])
image.layer(name = "drops-jq", parent_layer = ":needs-jq", features = [feature.apt_remove(packages = ["jq"])])
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

  it("a child that removes a package its parent's features need fails naming the package, the path and the parent's target, and publishes nothing", async () => {
    const r = await project.local(["build", "//t:drops-jq"]);
    expect(r.exitCode).toBe(1);
    const stderr = String(r.stderr);
    expect(stderr.match(/^(\S+:\d+:\d+: )?error: /gm)).toHaveLength(1);
    // at the user's feature.apt_remove call (issue 19 item 3)
    const buck = readFileSync(join(project.root, "t/BUCK"), "utf8").split("\n");
    const line = buck.findIndex((l) => l.includes('name = "drops-jq"'));
    const at = `t/BUCK:${line + 1}:${buck[line]!.indexOf("feature.apt_remove") + 1}`;
    expect(stderr).toContain(`${at}: error: root//t:drops-jq: apt_remove(packages=["jq"]): removing jq takes away what a parent layer's features need`);
    expect(stderr).toContain("path /usr/bin/jq (needed by root//t:needs-jq: requires), gone with package jq");
    // the group the parent also needs is still there: only what broke is named
    expect(stderr).not.toContain("uuidd");
    expect(existsSync(join(project.root, "buck-out/v2/gen/root/t/__drops-jq__/package_manager/layer"))).toBe(false);
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

  /** a one-file .deb whose postinst prints a line and exits `exit` (`control`: more control fields; `file`: its one file) */
  function fakeDeb(name: string, exit: number, opts: { control?: string; file?: string } = {}): { deb: string; sha256: string } {
    const dir = join(project.root, "fake", name);
    const file = opts.file ?? `usr/share/doc/${name}/README`;
    mkdirSync(join(dir, "DEBIAN"), { recursive: true });
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), "fake\n");
    writeFileSync(join(dir, "DEBIAN/control"), `Package: ${name}\nVersion: 1.0\nArchitecture: all\nMaintainer: strata tests <tests@localhost>\nDescription: a test package\n${opts.control ?? ""}`);
    writeFileSync(join(dir, "DEBIAN/postinst"), `#!/bin/sh\necho "postinst of ${name} says no"\nexit ${exit}\n`, { mode: 0o755 });
    const deb = join(project.root, "fake", `${name}.deb`);
    execFileSync("dpkg-deb", ["--build", "--root-owner-group", dir, deb], { stdio: "ignore" });
    return { deb, sha256: createHash("sha256").update(readFileSync(deb)).digest("hex") };
  }

  async function installFakes(name: string, debs: { name: string; sha256: string; deb: string }[], opts: { bootstrap?: boolean; appliance?: string } = {}) {
    const features = join(project.root, "fake", `${name}-features.json`);
    const entries = debs.map((d) => ({ name: d.name, version: "1.0", architecture: "all", sha256: d.sha256, essential: opts.bootstrap === true, pre_depends: [], depends: [], deb: d.deb }));
    const resolved = { bootstrap: opts.bootstrap === true, flavor: "//debian:bookworm", debs: entries, ...(opts.appliance !== undefined ? { appliance: opts.appliance } : {}) };
    writeFileSync(features, JSON.stringify([{ type: "apt_install", label: "//t:bad", packages: debs.map((d) => d.name), resolved }]));
    const out = join(project.root, "fake", `${name}-out`);
    const parent = opts.bootstrap === true ? [] : ["--parent", baseOut];
    const r = await strata(["compile", "--label", "//t:bad", "--phase", "package_manager", "--features", features, "--out", out, ...parent, "--working-volume", join(project.root, "strata-out")]);
    return { r, out };
  }

  const installFake = (name: string, sha256: string, deb: string) => installFakes(name, [{ name, sha256, deb }]);

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

  it("two packages that conflict fail the phase with one error naming both, and publish nothing", async () => {
    const a = { name: "strata-a", ...fakeDeb("strata-a", 0) };
    const b = { name: "strata-b", ...fakeDeb("strata-b", 0, { control: "Conflicts: strata-a\n" }) };
    const { r, out } = await installFakes("conflict", [a, b]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.match(/^error: /gm)).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: \/\/t:bad: apt_install\(packages=.*\): dpkg --install failed for package strata-b \(package strata-b conflicts with package strata-a\)/m);
    expect(existsSync(out)).toBe(false);
  });

  it("two packages that ship the same file fail with one error naming both, and publish nothing", async () => {
    const a = { name: "strata-c", ...fakeDeb("strata-c", 0, { file: "usr/share/strata/same" }) };
    const b = { name: "strata-d", ...fakeDeb("strata-d", 0, { file: "usr/share/strata/same" }) };
    const { r, out } = await installFakes("clash", [a, b]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.match(/^error: /gm)).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: \/\/t:bad: .*dpkg --install failed for package strata-d \(\/usr\/share\/strata\/same is also in package strata-c\)/m);
    expect(existsSync(out)).toBe(false);
    // a bootstrap checks the same before extracting anything
    const boot = await installFakes("clash-boot", [a, b], { bootstrap: true });
    expect(boot.r.exitCode).toBe(1);
    expect(boot.r.stderr).toMatch(/^error: \/\/t:bad: .*packages strata-c and strata-d both ship \/usr\/share\/strata\/same/m);
    expect(existsSync(boot.out)).toBe(false);
  });

  it("a bootstrap extracts with the build appliance's tools, not the host's", async () => {
    const appliance = join(project.root, "fake-appliance");
    mkdirSync(appliance, { recursive: true });
    await makeBusyboxRoot(appliance);
    // an appliance whose xargs (which runs the decompressing dpkg-debs) only says where it ran. busybox's sh runs its
    // applets without a PATH search: give the appliance the host's dash as its sh (with the C library it needs), and
    // replace the applet's link, not the binary behind it
    for (const lib of execFileSync("sh", ["-c", "ldd /usr/bin/dash | grep -o '/[^ ]*'"], { encoding: "utf8" }).trim().split("\n")) {
      mkdirSync(join(appliance, dirname(lib)), { recursive: true });
      execFileSync("cp", ["-L", lib, join(appliance, lib)]);
    }
    for (const p of ["usr/bin/sh", "bin/sh", "usr/bin/xargs", "bin/xargs"]) rmSync(join(appliance, p), { force: true });
    execFileSync("cp", ["/usr/bin/dash", join(appliance, "usr/bin/sh")]);
    symlinkSync("/usr/bin/sh", join(appliance, "bin/sh"));
    writeFileSync(join(appliance, "usr/bin/xargs"), "#!/usr/bin/sh\necho \"xargs of the appliance ran: $*\" >&2\nexit 2\n", { mode: 0o755 });
    const a = { name: "strata-e", ...fakeDeb("strata-e", 0) };
    const { r, out } = await installFakes("appliance", [a], { bootstrap: true, appliance });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^error: \/\/t:bad: .*cannot read the data of package/m);
    expect(r.stderr).toMatch(/xargs of the appliance ran: -0 -r -P \d+ -n 1 sh -c/);
    expect(existsSync(out)).toBe(false);
  });

  it("packages a Debian layer with the flavor's build appliance while the host's PATH has no packaging tool", async () => {
    const appliance = outputOf(await project.build(["//debian:build-appliance"]), "//debian:build-appliance");
    // base's bootstrap was given the appliance by the flavor: as a token its portable phase resolves from the
    // appliance's chain (docs/portable.md)
    expect(readFileSync(join(project.root, "buck-out/v2/gen/root/examples/debian/__base__/package_manager/phase-features.json"), "utf8")).toContain('"appliance": "@appliance"');
    const bin = join(project.root, "host-bin");
    mkdirSync(bin, { recursive: true });
    for (const t of ["node", "bwrap", "btrfs"]) symlinkSync(execFileSync("sh", ["-c", `command -v ${t}`], { encoding: "utf8" }).trim(), join(bin, t));
    const out = join(project.root, "pk", "base.tar.zst");
    const r = await strata(["package", "tar.zst", "--label", "//t:pkg", "--layer", baseOut, "--out", out, "--appliance", appliance], { env: { PATH: bin } });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const listing = execFileSync("sh", ["-c", `zstd -dc '${out}' | tar -t`], { encoding: "utf8", maxBuffer: 64 << 20 });
    expect(listing).toMatch(/^\.\/usr\/bin\/dpkg$/m);
    // without the appliance, the same PATH has no tar
    const host = await strata(["package", "tar.zst", "--label", "//t:pkg", "--layer", baseOut, "--out", `${out}.host`], { env: { PATH: bin } });
    expect(host.exitCode).toBe(1);
    expect(String(host.stderr)).toMatch(/tar is not installed|bash is not installed/);
  }, 900_000);
});
