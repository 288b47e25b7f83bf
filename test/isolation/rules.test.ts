// The Starlark side through the local driver: //base:shell fetched by url + sha256, genrule layers,
// image tests with `local test` (exit 32 on failures), and a genrule/install conflict.
import { beforeAll, expect, it } from "vitest";
import { lstatSync, readFileSync, readlinkSync, realpathSync, statSync } from "node:fs";
import { join } from "node:path";
import { describeBtrfs } from "../helpers/volume.js";
import { newProject, outputOf, repoRoot, type Project } from "../rules/project.js";

const T_BUCK = `
load("//rules:defs.bzl", "feature", "image")
load("//rules:defs.bzl", "image_test")

image_test(name = "fails", layer = "//base:shell", test = "fail.sh")
image_test(name = "passes", layer = "//base:shell", test = "pass.sh", args = ["65534"], user = "nobody")

image.genrule_layer(
    name = "made",
    parent_layer = "//base:shell",
    rule_type = "make_file",
    user = "root",
    cmd = ["/bin/sh", "-c", "echo made > /etc/made"],
)

image.layer(
    name = "conflict",
    parent_layer = ":made",
    features = [feature.install_text(dst = "/etc/made", text = "mine\\n")],
)
`;

describeBtrfs("rules: base, genrule_layer, image_test (local driver)", () => {
  let project: Project;

  beforeAll(() => {
    project = newProject({
      "base/BUCK": readFileSync(join(repoRoot, "base/BUCK"), "utf8"),
      "base/busybox_applets.bzl": readFileSync(join(repoRoot, "base/busybox_applets.bzl"), "utf8"),
      "t/BUCK": T_BUCK,
      "t/fail.sh": "echo 'this test fails on purpose'\nexit 4\n",
      "t/pass.sh": 'test "$(id -u)" = "$1"\n',
    });
  });

  it("builds //base:shell from the pinned .deb: busybox, its applets, root and nobody, /tmp 1777", async () => {
    const built = await project.build(["//base:shell"]);
    const root = realpathSync(outputOf(built, "//base:shell"));
    expect(statSync(join(root, "bin/busybox")).mode & 0o777).toBe(0o755);
    expect(readlinkSync(join(root, "bin/sh"))).toBe("/bin/busybox");
    expect(lstatSync(join(root, "usr/bin/env")).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(root, "etc/passwd"), "utf8")).toMatch(/^nobody:x:65534:65534:/m);
    expect(readFileSync(join(root, "etc/group"), "utf8")).toMatch(/^nogroup:x:65534:$/m);
    expect(statSync(join(root, "tmp")).mode & 0o7777).toBe(0o1777);
    expect(statSync(join(root, "root")).mode & 0o7777).toBe(0o700);
  });

  it("local test runs the example image tests and they pass", async () => {
    const r = await project.local(["test", "//examples/test:"]);
    expect(r.stderr).toContain("Tests finished: Pass 2. Fail 0.");
    expect(r.exitCode).toBe(0);
  });

  it("local test reports a failing test with its output and exits 32", async () => {
    const r = await project.local(["test", "//t:fails", "//t:passes"]);
    expect(r.stderr).toContain("✓ Pass: root//t:passes");
    expect(r.stderr).toContain("✗ Fail: root//t:fails (exit code 4)");
    expect(r.stderr).toContain("this test fails on purpose");
    expect(r.stderr).toContain("Tests finished: Pass 1. Fail 1.");
    expect(r.exitCode).toBe(32);
  });

  it("a feature writing a path a genrule made is a conflict naming the genrule", async () => {
    const r = await project.local(["build", "//t:conflict"]);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain("error: root//t:conflict");
    expect(r.stderr).toContain("/etc/made");
    expect(r.stderr).toContain("root//t:made: genrule");
  });

  it("local run of a layer's [container] runs a command inside it", async () => {
    const r = await project.local(["run", "//t:made[container]", "/bin/cat", "/etc/made"]);
    expect(r.stdout).toBe("made");
    expect(r.exitCode).toBe(0);
  });
});
