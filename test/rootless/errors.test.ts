// What an ordinary user is told when rootless builds cannot work here, each with its fix: no subordinate range (the
// exact line for /etc/subuid and /etc/subgid), user namespaces disabled (the sysctl: set to 0 for real inside a
// user namespace of the test's own, where it is per namespace), newuidmap missing (hidden by a mount namespace:
// the package uidmap), and the STRATA_ROOTLESS setting.
import { execa } from "execa";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { freeStart, readSubIdFile } from "../../src/rootless/subids.js";
import { checkout, describeRootless, ensureUser, NOSUB_USER, ROOTLESS_USER, strataAs, type TestUser } from "./helpers.js";
import { strata } from "../runner/helpers.js";

const BUILD = ["local", "build", "//examples:app"];

describeRootless("rootless: what is missing is named, with the fix", () => {
  let user: TestUser;
  let nosub: TestUser;
  let co: { dir: string; env: Record<string, string> };
  let coNosub: { dir: string; env: Record<string, string> };

  beforeAll(() => {
    user = ensureUser(ROOTLESS_USER, true);
    nosub = ensureUser(NOSUB_USER, false);
    co = checkout(join(user.home, "checkouts"), user);
    coNosub = checkout(join(nosub.home, "checkouts"), nosub);
  }, 300_000);

  afterAll(() => {
    for (const c of [co, coNosub]) if (c !== undefined) rmSync(c.dir, { recursive: true, force: true });
  });

  it("no subordinate range: the exact line to add to /etc/subuid and /etc/subgid, and nothing is built", async () => {
    const start = freeStart([readSubIdFile("/etc/subuid"), readSubIdFile("/etc/subgid")]);
    const r = await strataAs(nosub, coNosub, BUILD);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`error: strata (rootless): user ${NOSUB_USER} (uid ${nosub.uid}) has no subordinate id range for the image's users and groups`);
    expect(r.stderr).toContain("  found:    none in /etc/subuid and /etc/subgid");
    expect(r.stderr).toContain(`  an admin adds this line to /etc/subuid and to /etc/subgid:\n    ${NOSUB_USER}:${start}:65536\n`);
    expect(r.stderr).toContain(`usermod --add-subuids ${start}-${start + 65535} --add-subgids ${start}-${start + 65535} ${NOSUB_USER}`);
    expect(r.stderr).not.toMatch(/needs root/);
  });

  it("user namespaces disabled (user.max_user_namespaces = 0): the setting and the command that changes it", async () => {
    // a user namespace of the test's own maps the ids; inside it, root sets the limit for namespaces below to 0,
    // then becomes the user and runs strata
    const env = Object.entries({ PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: user.home, ...co.env }).map(([k, v]) => `${k}=${v}`);
    // (sh was started before the maps were written, so it holds no capabilities there: the inner sh, run as the
    // mapped root, has them)
    const inner = `echo 0 > /proc/sys/user/max_user_namespaces && exec setpriv --reuid=${user.uid} --regid=${user.gid} --clear-groups env -i "$@"`;
    const script = `echo ready; read go; exec sh -c '${inner}' sh "$@"`;
    const child = execa("unshare", ["--user", "--", "sh", "-c", script, "sh", ...env, process.execPath, join(co.dir, "bin/strata.mjs"), ...BUILD], { cwd: co.dir, reject: false, stdin: "pipe" });
    await new Promise<void>((resolve) => child.stdout!.once("data", () => resolve()));
    const { writeFileSync } = await import("node:fs");
    writeFileSync(`/proc/${child.pid}/uid_map`, "0 0 4294967294\n");
    writeFileSync(`/proc/${child.pid}/gid_map`, "0 0 4294967294\n");
    child.stdin!.end("go\n");
    const r = await child;
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stderr).toContain("error: strata (rootless): unprivileged user namespaces are disabled on this machine");
    expect(r.stderr).toContain("  found:    user.max_user_namespaces = 0");
    expect(r.stderr).toContain("    sysctl -w user.max_user_namespaces=15000");
  });

  it("no newuidmap: the package to install", async () => {
    const env = Object.entries({ PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: user.home, ...co.env }).map(([k, v]) => `${k}=${v}`);
    const script = 'for t in /usr/bin/newuidmap /usr/bin/newgidmap; do mount --bind /dev/null "$t" || exit 99; done; exec runuser -u "$0" -- env -i "$@"';
    const r = await execa("unshare", ["--mount", "--", "sh", "-c", script, user.name, ...env, process.execPath, join(co.dir, "bin/strata.mjs"), ...BUILD], { cwd: co.dir, reject: false });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("error: strata (rootless): newuidmap and newgidmap not found");
    expect(r.stderr).toContain("an admin installs the package uidmap: apt-get install uidmap");
  });

  it("STRATA_ROOTLESS=false (or [strata] rootless = false): an ordinary user builds without a namespace, so only the copy backend, and is told; a value that is no setting is named", async () => {
    const off = await strataAs(user, co, BUILD, { STRATA_ROOTLESS: "false" });
    expect(off.exitCode).toBe(1);
    expect(off.stderr).toContain("not root, and rootless builds are off (STRATA_ROOTLESS or [strata] rootless = false");
    // the project's [strata] rootless, where STRATA_ROOTLESS is not set
    const local = join(co.dir, ".buckconfig.local");
    const before = existsSync(local) ? readFileSync(local, "utf8") : "";
    writeFileSync(local, `${before}\n[strata]\n  rootless = false\n`);
    try {
      const cfg = await strataAs(user, co, BUILD);
      expect(cfg.exitCode).toBe(1);
      expect(cfg.stderr).toContain("not root, and rootless builds are off");
      expect((await strataAs(user, co, BUILD, { STRATA_ROOTLESS: "maybe" })).stderr).toContain("STRATA_ROOTLESS is not a rootless setting");
    } finally {
      writeFileSync(local, before);
    }
    const bad = await strataAs(user, co, BUILD, { STRATA_ROOTLESS: "maybe" });
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toContain('error: strata: STRATA_ROOTLESS is not a rootless setting\n  expected: true, false or auto (1/0, yes/no also work)\n  found:    "maybe"');
  });

  it("STRATA_ROOTLESS=true makes root build rootless too (with root's own subordinate range)", async () => {
    const r = await strata(["unshare", "--", "cat", "/proc/self/uid_map"], { env: { STRATA_ROOTLESS: "true" } });
    const rootRange = (readSubIdFile("/etc/subuid").text ?? "").split("\n").find((l) => l.startsWith("root:"));
    if (rootRange === undefined) {
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toContain("error: strata (rootless): user root (uid 0) has no subordinate id range");
    } else {
      expect(r.exitCode, r.stderr).toBe(0);
      expect(r.stdout.trim().split("\n").map((l) => l.trim().split(/\s+/).slice(0, 2).join(" "))).toEqual(["0 0", `1 ${rootRange.split(":")[1]}`]);
    }
    const plain = await strata(["unshare", "--", "cat", "/proc/self/uid_map"]);
    expect(plain.stdout.trim().split(/\s+/)).toEqual(["0", "0", "4294967295"]);
  });
});
