import { beforeAll, expect, it } from "vitest";
import { createServer, type Server } from "node:net";
import { chownSync, mkdirSync, readFileSync, statSync, writeFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describeBtrfs, freshBtrfsDir, freshScratchDir } from "../helpers/volume.js";
import { runIsolated } from "../../src/isolation/index.js";
import { StrataError } from "../../src/errors.js";
import { makeBusyboxRoot } from "./busybox-root.js";

let root: string;

describeBtrfs("runIsolated", () => {
  beforeAll(async () => {
    // a 0700 parent, as mkdtemp makes: the unprivileged user must still reach the image through it
    root = join(freshBtrfsDir("iso-"), "root");
    mkdirSync(root);
    await makeBusyboxRoot(root, {
      passwd: "app:x:1000:1000:app user:/home/app:/bin/sh\n",
      group: "app:x:1000:\nstaff:x:50:app\naudio:x:29:app,nobody\n",
    });
    mkdirSync(join(root, "home/app"));
    chownSync(join(root, "home/app"), 1000, 1000);
  });

  it("runs as nobody by default, with its supplementary groups and no capabilities", async () => {
    const r = await runIsolated({ root, argv: ["/bin/sh", "-c", "id -u; id -g; id -G; grep -E '^(CapEff|CapPrm|NoNewPrivs)' /proc/self/status"], stdio: "pipe" });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe("65534\n65534\n65534 29\nCapPrm:\t0000000000000000\nCapEff:\t0000000000000000\nNoNewPrivs:\t1\n");
  });

  it("runs as a named user with its groups", async () => {
    const r = await runIsolated({ root, user: "app", argv: ["id"], stdio: "pipe" });
    expect(r.stdout).toBe("uid=1000(app) gid=1000(app) groups=29(audio),50(staff),1000(app)\n");
  });

  it("sets exactly the documented environment plus the caller's variables", async () => {
    const r = await runIsolated({ root, user: "app", epoch: 1234, env: { FOO: "bar baz" }, argv: ["env"], stdio: "pipe" });
    const lines = r.stdout.trim().split("\n").sort();
    expect(lines).toEqual(
      [
        "FOO=bar baz",
        "HOME=/home/app",
        "LANG=C.UTF-8",
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "PWD=/",
        "SOURCE_DATE_EPOCH=1234",
        "TZ=UTC",
        "USER=app",
      ].sort(),
    );
  });

  it("propagates exit codes and signals as 128+n", async () => {
    expect((await runIsolated({ root, argv: ["/bin/sh", "-c", "exit 7"], stdio: "pipe" })).exitCode).toBe(7);
    expect((await runIsolated({ root, argv: ["/bin/sh", "-c", "kill -USR1 $$"], stdio: "pipe" })).exitCode).toBe(128 + 10);
    // a program missing from the image is refused before the run, naming it (issue 9 item 12)
    await expect(runIsolated({ root, argv: ["/no/such/binary"], stdio: "pipe" })).rejects.toThrow(/cannot run \/no\/such\/binary: it is missing from the layer/);
  });

  it("has no network: a server on the host's loopback is unreachable, only the container's own lo exists", async () => {
    const server: Server = createServer((s) => s.end("hello from the host\n"));
    await new Promise<void>((res) => server.listen(0, "127.0.0.1", () => res()));
    const port = (server.address() as { port: number }).port;
    try {
      // the same probe from the host succeeds, so a failure inside means isolation, not a broken probe
      const host = await new Promise<string>((res, rej) => {
        import("node:net").then(({ connect }) => {
          const c = connect(port, "127.0.0.1");
          let data = "";
          c.on("data", (d) => (data += d.toString()));
          c.on("end", () => res(data));
          c.on("error", rej);
        });
      });
      expect(host).toBe("hello from the host\n");
      const r = await runIsolated({ root, argv: ["/bin/sh", "-c", `nc -w 2 127.0.0.1 ${port} </dev/null; echo rc=$?; ls /sys/class/net 2>/dev/null; ip -o link | cut -d: -f2`], stdio: "pipe" });
      expect(r.stdout).not.toContain("hello from the host");
      expect(r.stdout).toContain("rc=1");
      expect(r.stdout.trim().split("\n").slice(1).map((s) => s.trim())).toEqual(["lo"]);
    } finally {
      server.close();
    }
  });

  it("hides host files: neither the repository nor a marker in the host's /root is visible", async () => {
    const marker = join(freshScratchDir("marker-"), "secret");
    writeFileSync(marker, "host secret\n");
    const r = await runIsolated({ root, user: "root", argv: ["/bin/sh", "-c", `cat ${marker}; ls ${process.cwd()}; cat /proc/1/cmdline; echo; ls /`], stdio: "pipe" });
    expect(r.stdout).not.toContain("host secret");
    expect(r.stdout).not.toContain("package.json");
    expect(r.stdout).not.toContain(root);
    expect(r.stderr).toContain("No such file or directory");
  });

  it("mounts named inputs read-only and nothing else", async () => {
    const dir = freshScratchDir("input-");
    writeFileSync(join(dir, "in.txt"), "input data\n");
    const r = await runIsolated({
      root,
      writable: true,
      user: "root",
      roBinds: [{ host: join(dir, "in.txt"), image: "/inputs/in.txt" }],
      argv: ["/bin/sh", "-c", "cat /inputs/in.txt; echo x > /inputs/in.txt; echo rc=$?"],
      stdio: "pipe",
    });
    expect(r.stdout).toBe("input data\nrc=1\n");
    expect(readFileSync(join(dir, "in.txt"), "utf8")).toBe("input data\n");
    // the mount point made for the input is gone again
    expect(readdirSync(root)).not.toContain("inputs");
  });

  it("gives a fresh /tmp and a minimal /dev, and keeps a read-only root read-only", async () => {
    writeFileSync(join(root, "tmp/leftover"), "x");
    const r = await runIsolated({ root, user: "root", argv: ["/bin/sh", "-c", "ls -A /tmp; ls /dev | tr '\\n' ' '; touch /newfile; echo rc=$?"], stdio: "pipe" });
    expect(r.stdout).not.toContain("leftover");
    expect(r.stdout).toContain("null");
    expect(r.stdout).not.toContain("sda");
    expect(r.stdout).toContain("rc=1");
    expect(() => statSync(join(root, "newfile"))).toThrow();
  });

  it("files a user creates in a writable root belong to that user on disk; root-owned files stay root's", async () => {
    const r = await runIsolated({ root, writable: true, user: "app", cwd: "/home/app", argv: ["/bin/sh", "-c", "echo hi > made; stat -c %u:%g /etc/passwd"], stdio: "pipe" });
    expect(r.stdout).toBe("0:0\n");
    const st = statSync(join(root, "home/app/made"));
    expect([st.uid, st.gid]).toEqual([1000, 1000]);
  });

  it("refuses a user the image does not have", async () => {
    await expect(runIsolated({ root, user: "ghost", argv: ["true"] })).rejects.toThrow(StrataError);
    await expect(runIsolated({ root, user: "ghost", argv: ["true"] })).rejects.toThrow(/error: .*user "ghost" does not exist in the image/);
  });
});
