// `strata image-test` and `strata shell` against real layers: throwaway snapshots, layer mounts, exit codes.
import { beforeAll, expect, it } from "vitest";
import { execa } from "execa";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describeBtrfs, freshBtrfsDir } from "../helpers/volume.js";
import { listTree, strata, strataBin, writeFeatures } from "../runner/helpers.js";
import { makeBusyboxRoot } from "./busybox-root.js";

let dir: string;
let wv: string;
let layerOut: string;

async function compile(name: string, features: object[], parent?: string): Promise<string> {
  const out = join(dir, `${name}.out`);
  const args = ["compile", "--label", `//t:${name}`, "--phase", "compile", "--features", writeFeatures(join(dir, `${name}.json`), features), "--out", out, "--working-volume", wv];
  if (parent !== undefined) args.push("--parent", parent);
  const r = await strata(args);
  if (r.exitCode !== 0) throw new Error(String(r.stderr));
  return out;
}

function script(name: string, body: string): string {
  const p = join(dir, name);
  writeFileSync(p, body);
  return p;
}

const throwaways = (): string[] => (existsSync(join(wv, "throwaway")) ? readdirSync(join(wv, "throwaway")) : []);

describeBtrfs("image-test and shell", () => {
  beforeAll(async () => {
    dir = freshBtrfsDir("imgtest-");
    wv = join(dir, "wv");
    const tree = join(dir, "tree");
    mkdirSync(tree);
    await makeBusyboxRoot(tree);
    mkdirSync(join(tree, "mnt"));
    execFileSync("tar", ["-c", "--numeric-owner", "-C", tree, "-f", join(dir, "base.tar"), "."]);
    const base = await compile("base", [{ type: "tarball", label: "//t:base", src: join(dir, "base.tar"), into_dir: "/" }]);
    const data = await compile("data", [{ type: "install_text", label: "//t:data", text: "mounted data\n", dst: "/hello.txt" }]);
    layerOut = await compile("app", [
      { type: "install_text", label: "//t:app", text: "app config\n", dst: "/etc/app.conf" },
      { type: "layer_mount", label: "//t:app", source: data, mountpoint: "/mnt/data" },
    ], base);
  });

  it("runs the test inside the layer with its layer mounts, as the requested user, and passes its exit code through", async () => {
    const t = script("check.sh", 'set -e\ntest "$(cat /etc/app.conf)" = "app config"\ntest "$(cat /mnt/data/hello.txt)" = "mounted data"\ntest "$(id -u)" = "$1"\ntest "$GREETING" = hi\nexit 0\n');
    const ok = await strata(["image-test", "--layer", layerOut, "--test", t, "--user", "nobody", "--env", "GREETING=hi", "--", "65534"]);
    expect(ok.stderr).toBe("");
    expect(ok.exitCode).toBe(0);
    const wrongUser = await strata(["image-test", "--layer", layerOut, "--test", t, "--env", "GREETING=hi", "--", "65534"]);
    expect(wrongUser.exitCode).toBe(1);
    const three = await strata(["image-test", "--layer", layerOut, "--test", script("three.sh", "exit 3\n")]);
    expect(three.exitCode).toBe(3);
    expect(throwaways()).toEqual([]);
  });

  it("cannot change its layer: writes go to the throwaway snapshot, which is gone afterwards", async () => {
    const before = listTree(realpathSync(layerOut));
    const t = script("vandal.sh", "echo changed > /etc/app.conf && rm /bin/busybox.x 2>/dev/null; rm -f /etc/passwd && touch /new-file && echo done\n");
    const r = await strata(["image-test", "--layer", layerOut, "--test", t]);
    expect(r.stdout).toBe("done");
    expect(r.exitCode).toBe(0);
    expect(listTree(realpathSync(layerOut))).toEqual(before);
    expect(throwaways()).toEqual([]);
    // and a second test sees the layer as it was
    const again = await strata(["image-test", "--layer", layerOut, "--test", script("again.sh", "cat /etc/app.conf; test -e /new-file || echo clean\n")]);
    expect(again.stdout).toBe("app config\nclean");
  });

  it("removes the snapshot when the test fails and when the runner is terminated", async () => {
    const fail = await strata(["image-test", "--layer", layerOut, "--test", script("fail.sh", "touch /leftover; exit 1\n")]);
    expect(fail.exitCode).toBe(1);
    expect(throwaways()).toEqual([]);

    const child = execa("node", [strataBin, "image-test", "--layer", layerOut, "--test", script("hang.sh", "touch /ready; exec sleep 1000\n")], { reject: false });
    // wait until the test is running inside its snapshot (the snapshot's /ready appears on the host)
    let ready = false;
    while (!ready) {
      ready = throwaways().some((s) => existsSync(join(wv, "throwaway", s, "root", "ready")));
      if (!ready) await new Promise((r) => setTimeout(r, 50));
    }
    child.kill("SIGTERM");
    const r = await child;
    expect(r.exitCode).toBe(128 + 15);
    expect(throwaways()).toEqual([]);
  });

  it("shell runs a command in a throwaway snapshot as root by default", async () => {
    const r = await strata(["shell", "--layer", layerOut, "--", "/bin/sh", "-c", "id -u; echo x > /etc/app.conf; cat /mnt/data/hello.txt"]);
    expect(r.stdout).toBe("0\nmounted data");
    expect(r.exitCode).toBe(0);
    expect(throwaways()).toEqual([]);
  });
});
