// Attacks from inside the sandbox (image tests, shells, genrules): reaching host files, the network, devices,
// other processes, capabilities, privilege through setuid, and the read-only layers mounted in.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { describeBtrfs } from "../helpers/volume.js";
import { strata } from "../runner/helpers.js";
import { makeBusyboxRoot } from "../isolation/busybox-root.js";
import { sandbox, snapshotTree, type Sandbox } from "./helpers.js";

const ABSTRACT = `strata-sec-abstract-${process.pid}`;

describeBtrfs("security: the sandbox of image tests, shells and genrules", () => {
  let sb: Sandbox;
  let layer: string;
  let data: string;
  let dataTree: string[];
  let canaryTree: string[];
  const servers: Server[] = [];
  let tcpPort = 0;

  beforeAll(async () => {
    sb = sandbox();
    const tree = join(sb.work, "tree");
    mkdirSync(tree);
    await makeBusyboxRoot(tree);
    mkdirSync(join(tree, "mnt"));
    // a setuid-root copy of busybox: nobody running it must not become root
    execFileSync("cp", [join(tree, "bin/busybox"), join(tree, "bin/suid-busybox")]);
    chmodSync(join(tree, "bin/suid-busybox"), 0o4755);
    execFileSync("tar", ["-c", "--numeric-owner", "-C", tree, "-f", join(sb.work, "base.tar"), "."]);
    const d = await sb.compile("data", [{ type: "install_text", label: "//sec:data", text: "mounted data\n", dst: "/hello.txt" }]);
    expect(d.exitCode).toBe(0);
    data = d.out;
    dataTree = snapshotTree(realpathSync(data));
    const b = await sb.compile("base", [
      { type: "tarball", label: "//sec:base", src: join(sb.work, "base.tar"), into_dir: "/" },
      { type: "layer_mount", label: "//sec:base", source: data, mountpoint: "/mnt/data" },
    ]);
    expect(b.stderr).toBe("");
    expect(b.exitCode).toBe(0);
    layer = b.out;
    canaryTree = snapshotTree(sb.canary);
    // host listeners the sandbox must not reach: TCP on loopback and an abstract unix socket
    const tcp = createServer((s) => s.end("HOST\n"));
    await new Promise<void>((r) => tcp.listen(0, "127.0.0.1", () => r()));
    tcpPort = (tcp.address() as { port: number }).port;
    const abs = createServer((s) => s.end("HOST\n"));
    await new Promise<void>((r) => abs.listen(`\0${ABSTRACT}`, () => r()));
    servers.push(tcp, abs);
  });

  afterAll(async () => {
    for (const s of servers) await new Promise<void>((r) => s.close(() => r()));
  });

  async function inside(user: string, body: string) {
    const file = join(sb.work, `probe-${Math.random().toString(36).slice(2)}.sh`);
    writeFileSync(file, body);
    return strata(["image-test", "--layer", layer, "--test", file, "--user", user]);
  }

  function held(): void {
    expect(snapshotTree(sb.canary)).toEqual(canaryTree);
    expect(snapshotTree(realpathSync(data))).toEqual(dataTree);
  }

  it("diagnostics", async () => {
    for (const user of ["root", "nobody"]) {
      const r = await inside(user, `id; grep -E 'Cap|NoNewPrivs|Seccomp' /proc/self/status; ls -l /proc/self/fd; ls /proc; ls /dev; cat /proc/self/mountinfo; cat /proc/net/unix | head; mount -t tmpfs none /mnt && echo MOUNTED; mount -o remount,rw /mnt/data && echo REMOUNTED; echo x > /mnt/data/pwn && echo WROTE; /bin/suid-busybox id; exit 0\n`);
      console.log(user, r.exitCode, r.stdout, r.stderr);
    }
  });
});
