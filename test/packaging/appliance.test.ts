// `strata package --appliance`: the packaging tools come from the build appliance, not the host. The appliance here
// is a busybox tree whose tar, zstd and mksquashfs are scripts that say where they ran, so an output made by the
// host's tools cannot pass; `btrfs send` stays on the host and feeds the appliance's compressor through a pipe.
import { chmodSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, expect, it } from "vitest";
import { makeBusyboxRoot } from "../isolation/busybox-root.js";
import { describeBtrfs, freshScratchDir } from "../helpers/volume.js";
import { compileLayer, pkg, type Built } from "./helpers.js";

function tool(root: string, name: string, script: string): void {
  const p = join(root, "usr/bin", name);
  rmSync(p, { force: true });
  writeFileSync(p, `#!/bin/sh\n${script}\n`);
  chmodSync(p, 0o755);
}

describeBtrfs("strata package --appliance", () => {
  let appliance: string;
  let layer: Built;

  beforeAll(async () => {
    appliance = join(freshScratchDir("appliance-"), "root");
    mkdirSync(appliance);
    await makeBusyboxRoot(appliance);
    // each tool names itself and what it saw: its arguments' layer path must be the host path (bound at its own path)
    tool(appliance, "tar", 'while [ "$#" -gt 0 ]; do [ "$1" = --directory ] && ls "$2" >/dev/null && printf "appliance tar read %s\\n" "$2"; shift; done; exit 0');
    tool(appliance, "zstd", 'printf "appliance zstd:"; cat');
    tool(appliance, "mksquashfs", 'printf "appliance mksquashfs\\n" > "$2"');
    layer = await compileLayer("app", [{ type: "ensure_dirs_exist", label: "//t:app", dirs: "/etc" }, { type: "install_text", label: "//t:app", text: "hi\n", dst: "/etc/motd" }]);
  }, 300_000);

  it("runs tar and zstd from the appliance (one pipeline, the layer bound at its own path) and not from the host", async () => {
    const out = join(freshScratchDir("pk-"), "o.tar.zst");
    const r = await pkg(["tar.zst", "--label", "//t:p", "--layer", layer.out, "--out", out, "--appliance", appliance]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readFileSync(out, "utf8")).toMatch(/^appliance zstd:appliance tar read \/\S+\n$/);
  });

  it("runs a filesystem packer from the appliance, writing into the output's directory", async () => {
    const dir = freshScratchDir("pk-");
    const r = await pkg(["squashfs", "--label", "//t:p", "--layer", layer.out, "--out", join(dir, "o.squashfs"), "--appliance", appliance]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readFileSync(join(dir, "o.squashfs"), "utf8")).toBe("appliance mksquashfs\n");
    expect(readdirSync(dir)).toEqual(["o.squashfs"]);
  });

  it("keeps btrfs send on the host and pipes it into the appliance's compressor", async () => {
    const out = join(freshScratchDir("pk-"), "o.sendstream.zst");
    const r = await pkg(["sendstream.zst", "--label", "//t:p", "--layer", layer.out, "--out", out, "--appliance", appliance]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(readFileSync(out).subarray(0, 28).toString("latin1")).toBe("appliance zstd:btrfs-stream\0");
  });

  it("a tool the appliance lacks fails the package with one error naming the target, and writes nothing", async () => {
    rmSync(join(appliance, "usr/bin/pigz"), { force: true });
    const dir = freshScratchDir("pk-");
    const r = await pkg(["tar.gz", "--label", "//t:gz", "--layer", layer.out, "--out", join(dir, "o.tar.gz"), "--appliance", appliance]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.split("\n")[0]).toMatch(/^error: \/\/t:gz: packaging as tar\.gz failed/);
    expect(r.stderr).toMatch(/pigz/);
    expect(readdirSync(dir)).toEqual([]);
  });
});
