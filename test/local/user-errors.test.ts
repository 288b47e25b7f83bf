// What a user sees for malformed BUCK files written against strata's rules (issue 9, items 5 and 8): the message
// once, at `path:line:col` in the user's file, in Buck2's wording, and none of the driver's insides.
import { execa } from "execa";
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const LOAD = 'load("//rules:defs.bzl", "feature", "image")\n';
const INTERNAL = /bridge\.bzl|@strata_analysis|strata\/\/|DriverError|StarlarkError|Traceback \(most recent call last\):\n  \* strata/;

/** A copy of strata's Buck2 files with `p/BUCK` = `buck`; evaluation errors need no working volume. */
async function evalError(buck: string, target = "//p:x"): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), "strata-user-errors-"));
  for (const f of [".buckconfig", "BUCK", "prelude", "rules", "bin", "dist", "package.json"]) cpSync(join(repo, f), join(dir, f), { recursive: true });
  mkdirSync(join(dir, "p"));
  writeFileSync(join(dir, "p/BUCK"), LOAD + buck);
  writeFileSync(join(dir, "p/a.txt"), "a\n");
  const r = await execa("node", [join(repo, "bin/strata.mjs"), "local", "build", target], { cwd: dir, reject: false });
  expect(r.exitCode).toBe(1);
  expect(r.stderr).not.toMatch(INTERNAL);
  return r.stderr.split("\n");
}

describe("errors in BUCK files, as the user wrote them", () => {
  it("parent_layer naming a feature.new target", async () => {
    const e = await evalError('feature.new(name = "f", features = [])\nimage.layer(name = "x", parent_layer = ":f")\n');
    expect(e[0]).toBe(
      "p/BUCK:3:25: error: root//p:x: attribute `parent_layer` of `image.layer`: Attribute requires a dep that provides `LayerInfo`, but it was not found on `root//p:f`. Found these providers: DefaultInfo, FeatureInfo",
    );
  });

  it("a layer used as a feature", async () => {
    const e = await evalError('image.layer(name = "l")\nimage.layer(name = "x", features = [":l"])\n');
    expect(e[0]).toMatch(/^p\/BUCK:3:25: error: root\/\/p:x: attribute `features` of `image.layer`: Attribute requires a dep that provides `FeatureInfo`, but it was not found on `root\/\/p:l`/);
  });

  it("layer_mount of a non-layer", async () => {
    const e = await evalError('feature.new(name = "f", features = [])\nimage.layer(name = "x", features = [feature.layer_mount(source = ":f", mountpoint = "/m")])\n');
    expect(e[0]).toMatch(/^p\/BUCK:3:57: error: root\/\/p:x: attribute `source` of `feature.layer_mount`: Attribute requires a dep that provides `LayerInfo`/);
  });

  it("a missing source names the attribute the user wrote (`src`, not `srcs`)", async () => {
    const e = await evalError('image.layer(name = "x", features = [feature.install(src = "nothere.txt", dst = "/a")])\n');
    expect(e[0]).toBe(
      "p/BUCK:2:53: error: root//p:x: attribute `src` of `feature.install`: source file `nothere.txt` does not exist as a member of package `root//p` (looked for `p/nothere.txt`)",
    );
    expect(e.filter((l) => l.includes("does not exist"))).toHaveLength(1);
  });

  it("a missing source in a call over several lines, and in a feature.new, names `src` at its line (issue 19 item 10)", async () => {
    const layer = await evalError('image.layer(\n    name = "x",\n    features = [\n        feature.install(\n            src = "nothere.txt",\n            dst = "/a",\n        ),\n    ],\n)\n');
    expect(layer[0]).toBe(
      "p/BUCK:6:13: error: root//p:x: attribute `src` of `feature.install`: source file `nothere.txt` does not exist as a member of package `root//p` (looked for `p/nothere.txt`)",
    );
    const group = await evalError('feature.new(\n    name = "x",\n    features = [feature.tarball(src = "gone.tar", into_dir = "/")],\n)\n');
    expect(group[0]).toBe(
      "p/BUCK:4:33: error: root//p:x: attribute `src` of `feature.tarball`: source file `gone.tar` does not exist as a member of package `root//p` (looked for `p/gone.tar`)",
    );
  });

  it("a duplicate target name", async () => {
    const e = await evalError('image.layer(name = "x")\nimage.layer(name = "x")\n');
    expect(e[0]).toBe("p/BUCK:3:1: error: root//p:x: Attempted to register target `root//p:x` twice (both with rule `strata_layer` and `strata_layer`)");
    expect(e[1]).toBe("  first registered at p/BUCK:2:1");
  });

  it("a target name with a space", async () => {
    const e = await evalError('image.layer(name = "x y")\n');
    expect(e[0]).toMatch(/^p\/BUCK:2:1: error: root\/\/p: Invalid target name `x y`\. Target names are non-empty strings/);
  });

  it("an unknown attribute is named (`dest`), not only the parameter it leaves missing", async () => {
    const e = await evalError('image.layer(name = "x", features = [feature.install(src = "a.txt", dest = "/a")])\n');
    expect(e[0]).toBe("p/BUCK:2:37: error: root//p: unexpected parameter `dest` for call to `feature.install` (did you mean `dst`?)");
    expect(e).toContain("  `feature.install` takes: src, dst, mode, user, group, xattrs");
    expect(e.filter((l) => l.includes("error:"))).toHaveLength(1);
  });

  it("a syntax error shows the line and the place, not fifty expected tokens", async () => {
    const e = await evalError('image.layer(name = "x", features = [feature.install(src = "a.txt" dst = "/a")])\n');
    expect(e[0]).toBe("p/BUCK:2:67: error: root//p: Parse error: unexpected identifier 'dst' (a missing `,` before it?)");
    expect(e).toContain('2 | image.layer(name = "x", features = [feature.install(src = "a.txt" dst = "/a")])');
    expect(e.join("\n")).not.toContain("expected one of");
  });

  it("a fail() in strata's rules points at the user's call, once", async () => {
    const e = await evalError('image.layer(name = "x", features = [feature.ensure_dirs_exist(dirs = "relative")])\n');
    expect(e[0]).toMatch(/^p\/BUCK:2:\d+: error: /);
    expect(e.filter((l) => l.includes("error:"))).toHaveLength(1);
  });

  it("`mode = 644` (decimal, 0o1204: sticky, owner cannot read) is refused where the literal is, before evaluation (issue 19 item 2)", async () => {
    const e = await evalError(
      'image.layer(name = "x", features = [\n    feature.ensure_dirs_exist(dirs = "/tmp", mode = 0o1777),\n    feature.install(src = "a.txt", dst = "/etc/a", mode = 644),\n])\n',
    );
    expect(e[0]).toBe(
      'p/BUCK:4:52: error: root//p: `mode = 644` is decimal, 0o1204, which sets the sticky bit; ' +
        'write 0o644 for the permissions in octal, or give the mode as a string ("1204") if the sticky bit is meant',
    );
  });

  it("an int mode with setuid written in octal is meant: 0o4755 and the string form pass evaluation; 755 on a directory is refused", async () => {
    const dir = await evalError('image.layer(name = "x", features = [feature.ensure_dirs_exist(dirs = "/c", mode = 755)])\n');
    expect(dir[0]).toContain("`mode = 755` is decimal, 0o1363, which sets the sticky bit; write 0o755");
    // evaluation passes (the build then fails on the missing parent only)
    for (const mode of ["0o4755", '"4755"']) {
      const ok = await evalError(`image.layer(name = "x", parent_layer = ":nope", features = [feature.install_text(dst = "/b", text = "", mode = ${mode})])\n`);
      expect(ok.join("\n")).not.toContain("setuid");
      expect(ok.join("\n")).toContain("nope");
    }
  });
});
