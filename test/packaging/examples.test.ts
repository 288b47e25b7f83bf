// The package.* rules end to end with the local driver: every example in examples/package builds twice from
// scratch to the same bytes (`strata local repro`), podman loads the archive of //base:shell, and a program of the
// image umoci unpacks runs in isolation. Bad BUCK input gets one `error:` line naming the target.
import { execa } from "execa";
import { cpSync, existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { repoRoot, strataBin } from "../runner/helpers.js";
import { describeBtrfs, freshScratchDir } from "../helpers/volume.js";

const OUT = "buck-out/v2/gen/root/examples/package";

async function local(args: string[], cwd = repoRoot) {
  return execa("node", [strataBin, "local", ...args], { cwd, reject: false, env: { ...process.env, SOURCE_DATE_EPOCH: "" } });
}

describeBtrfs("package examples (local driver)", () => {
  it("strata local repro: every example output is bit-identical across two builds in separate working volumes", async () => {
    const r = await local(["repro", "//examples/package:", "--json"]);
    expect(r.stderr).toMatch(/repro: 13 outputs bit-identical, 2 equivalent-only \(btrfs send streams\)/);
    expect(r.exitCode).toBe(0);
    const results = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { label: string; same: boolean; equivalentOnly: boolean });
    expect(results.filter((x) => !x.same && !x.equivalentOnly)).toEqual([]);
    expect(results.map((x) => x.label.replace(/^root/, ""))).toContain("//examples/package:shell.oci.tar");
  }, 600_000);

  it("podman loads the OCI archive of //base:shell with its entrypoint", async () => {
    const b = await local(["build", "//examples/package:shell.oci.tar"]);
    expect(b.exitCode).toBe(0);
    const archive = join(repoRoot, OUT, "__shell.oci.tar__", "shell.oci.tar");
    const load = await execa("podman", ["load", "-q", "-i", archive], { reject: false });
    expect(load.stderr + load.stdout).toContain("localhost/strata/shell:latest");
    try {
      const inspect = JSON.parse((await execa("podman", ["image", "inspect", "localhost/strata/shell:latest"])).stdout) as { Config: { Entrypoint: string[]; Env: string[] }; Created: string }[];
      expect(inspect[0]!.Config.Entrypoint).toEqual(["/bin/sh"]);
      // the image's own PATH (the package sets no env): runtimes that add none find programs too
      expect(inspect[0]!.Config.Env).toEqual(["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]);
      expect(inspect[0]!.Created).toMatch(/^1970-01-01T00:00:00/);
    } finally {
      await execa("podman", ["rmi", "-f", "localhost/strata/shell:latest"], { reject: false });
    }
  }, 600_000);

  it("umoci unpacks the layout of //base:shell and its /bin/sh runs isolated (bubblewrap, no network, own namespaces)", async () => {
    const b = await local(["build", "//examples/package:shell.oci.tar[layout]"]);
    expect(b.exitCode).toBe(0);
    const bundle = join(freshScratchDir("umoci-"), "bundle");
    await execa("umoci", ["unpack", "--image", `${join(repoRoot, OUT, "__shell.oci.tar__", "shell.oci")}:strata/shell:latest`, bundle]);
    const run = await execa("bwrap", ["--unshare-all", "--die-with-parent", "--bind", join(bundle, "rootfs"), "/", "--proc", "/proc", "--dev", "/dev", "/bin/sh", "-c", "echo hello from $(busybox | head -1 | cut -d' ' -f1,2)"]);
    expect(run.stdout).toMatch(/^hello from BusyBox v1\.35/);
  }, 600_000);

  it("bad input: an unknown format and a target that is not a layer each give one error naming the target", async () => {
    // a throwaway project that uses strata's rules, prelude and runner from this checkout
    const dir = mkdtempSync(join(tmpdir(), "strata-pkg-bad-"));
    for (const f of ["rules", "prelude", "bin", "dist", "BUCK"]) symlinkSync(join(repoRoot, f), join(dir, f));
    cpSync(join(repoRoot, ".buckconfig"), join(dir, ".buckconfig"));
    writeFileSync(join(dir, ".buckroot"), "");
    // two packages: a load-time failure in one must not hide the other
    mkdirSync(join(dir, "img"));
    mkdirSync(join(dir, "bad"));
    writeFileSync(
      join(dir, "img", "BUCK"),
      [
        'load("//rules:defs.bzl", "feature", "image", "package")',
        'image.layer(name = "l", features = [feature.ensure_dirs_exist(dirs = "/etc")], visibility = ["PUBLIC"])',
        'feature.new(name = "notalayer", features = [feature.ensure_dirs_exist(dirs = "/x")])',
        'package.tar(name = "wrongdep", layer = ":notalayer")',
        "",
      ].join("\n"),
    );
    writeFileSync(join(dir, "bad", "BUCK"), 'load("//rules:defs.bzl", "package")\npackage.new(name = "bogus", layer = "//img:l", format = "qcow9")\n');
    const unknown = await local(["build", "//bad:bogus"], dir);
    expect(unknown.exitCode).not.toBe(0);
    expect(unknown.stderr).toMatch(/^(\S+:\d+:\d+: )?error: .*package\.new\(name = "bogus"\): unknown package format "qcow9"/m);
    const wrong = await local(["build", "//img:wrongdep"], dir);
    expect(wrong.exitCode).not.toBe(0);
    expect(wrong.stderr).toMatch(/^(\S+:\d+:\d+: )?error: .*\/\/img:wrongdep/m);
    expect(wrong.stderr).toMatch(/LayerInfo/);
    expect(existsSync(join(dir, "buck-out", "v2", "gen", "root", "img", "__wrongdep__"))).toBe(false);
  }, 600_000);
});
