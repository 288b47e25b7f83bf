// Attacks from inside the sandbox (image tests, shells, genrules): reaching host files, the network, devices,
// other processes, capabilities, privilege through setuid, and the read-only layers mounted in.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, realpathSync, writeFileSync } from "node:fs";
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
    mkdirSync(join(tree, "opt/suid"), { recursive: true });
    execFileSync("cp", [join(tree, "bin/busybox"), join(tree, "opt/suid/busybox")]);
    chmodSync(join(tree, "opt/suid/busybox"), 0o4755);
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

  const probe = (tcpHex: string, canary: string) => `
fail() { echo "BROKEN: $1"; exit 9; }
cat /proc/sys/kernel/core_pattern > /tmp/cp && cat /tmp/cp > /proc/sys/kernel/core_pattern 2>/dev/null && fail "wrote the host's core_pattern"
echo 1 > /proc/sys/vm/drop_caches 2>/dev/null && fail "wrote a host sysctl"
mkdir -p /tmp/p /tmp/s /tmp/t
mount -t proc proc /tmp/p 2>/dev/null && fail "mounted a fresh proc"
mount -t sysfs sysfs /tmp/s 2>/dev/null && fail "mounted sysfs"
mount -t tmpfs none /tmp/t 2>/dev/null && fail "mounted a tmpfs"
mount -o remount,rw,bind /mnt/data 2>/dev/null && fail "remounted a layer mount rw"
echo x > /mnt/data/pwn 2>/dev/null && fail "wrote into a layer mount"
test -e ${canary}/passwd && fail "sees the host canary"
for p in /proc/[0-9]*; do test -e "$p/root${canary}/passwd" && fail "reached the host through $p/root"; done
test "$(ls -d /proc/[0-9]* | wc -l)" -le 6 || fail "sees host processes"
grep -q "${ABSTRACT}" /proc/net/unix && fail "sees the host's abstract socket"
grep -qi ":${tcpHex} " /proc/net/tcp && fail "sees the host's TCP listener"
test "$(ls /sys/class/net 2>/dev/null; grep -c : /proc/net/dev)" = "3" || true
grep -v -E "^ *(lo|Inter|face)" /proc/net/dev | grep -q : && fail "has a network interface besides lo"
ls /dev | grep -q -E "^(sd|vd|loop|mem|kmem|kmsg|port|nvme)" && fail "has a host device node"
mknod /tmp/mem c 1 1 2>/dev/null && cat /tmp/mem > /dev/null 2>&1 && fail "made and read /dev/mem"
grep NoNewPrivs /proc/self/status | grep -q 1 || fail "may gain privileges through setuid"
test "$(/opt/suid/busybox id -u)" = "$(id -u)" || fail "a setuid-root binary changed the uid"
echo HELD
`;

  describe.each(["root", "nobody"])("as %s", (user) => {
    it("cannot reach host files, sysctls, devices, processes, the network, or the layers mounted in", async () => {
      const r = await inside(user, probe(tcpPort.toString(16).toUpperCase().padStart(4, "0"), sb.canary));
      expect(r.stdout).not.toMatch(/BROKEN/);
      expect(r.stdout.trim().endsWith("HELD")).toBe(true);
      expect(r.exitCode).toBe(0);
      held();
    });
  });

  it("a genrule running as root cannot write host sysctls or mount (the compile fails, nothing is published)", async () => {
    for (const cmd of ["cat /proc/sys/kernel/core_pattern > /tmp/cp && cat /tmp/cp > /proc/sys/kernel/core_pattern", "mkdir -p /tmp/p && mount -t proc proc /tmp/p"]) {
      const r = await sb.compile(`g${cmd.length}`, [{ type: "genrule", label: "//sec:g", cmd: ["/bin/sh", "-c", cmd], user: "root" }], layer, "genrule");
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/^error: .*the genrule command failed/m);
    }
    held();
  });
});
