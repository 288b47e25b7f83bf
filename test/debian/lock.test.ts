// strata deb-lock against the configured mirror, with the host's apt in a private directory (shared by these tests
// so the indices are fetched once): the lock's shape, --check, and resolver errors that name the package.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Lock } from "../../src/debian/lock.js";
import { repoRoot, strata } from "../runner/helpers.js";

describe("strata deb-lock (host apt, real archive)", () => {
  const dir = mkdtempSync(join(tmpdir(), "deblock-"));
  const aptDir = join(dir, "apt");
  const manifest = (name: string, packages: string[], essential = false): string => {
    const p = join(dir, `${name}.json`);
    writeFileSync(p, JSON.stringify({ suites: ["bookworm"], essential, packages }));
    return p;
  };
  const lockCmd = (m: string, out: string, ...extra: string[]) => strata(["deb-lock", "--manifest", m, "--out", out, "--apt-dir", aptDir, ...extra], { cwd: repoRoot });
  let lock: Lock;
  let lockText: string;
  const jqManifest = manifest("jq", ["jq"]);
  const jqLock = join(dir, "jq.lock.json");

  beforeAll(async () => {
    const r = await lockCmd(jqManifest, jqLock);
    expect(r.exitCode, r.stderr).toBe(0);
    lockText = readFileSync(jqLock, "utf8");
    lock = JSON.parse(lockText) as Lock;
  }, 300_000);

  it("writes one solution with pool filenames, digests and resolved edges, and no URL", () => {
    expect(lock.roots).toEqual(["jq"]);
    expect(Object.keys(lock.packages)).toEqual(expect.arrayContaining(["jq", "libjq1", "libonig5", "libc6"]));
    const jq = lock.packages.jq!;
    expect(jq.filename).toMatch(/^pool\/main\/j\/jq\/jq_.*_amd64\.deb$/);
    expect(jq.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(jq.size).toBeGreaterThan(0);
    expect(jq.depends).toContain("libjq1");
    expect(lock.packages["libjq1"]!.depends).toContain("libonig5");
    expect(lock.releases.map((r) => r.suite)).toEqual(["bookworm"]);
    expect(lock.releases[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(lockText).not.toMatch(/https?:\/\//);
    // sorted keys: the same solution gives the same bytes
    expect(Object.keys(lock.packages)).toEqual([...Object.keys(lock.packages)].sort());
  });

  it("--check passes on a fresh lock and names what changed in the manifest", async () => {
    const ok = await lockCmd(jqManifest, jqLock, "--check");
    expect(ok.exitCode, ok.stderr).toBe(0);
    writeFileSync(jqManifest, JSON.stringify({ suites: ["bookworm"], essential: false, packages: ["jq", "less"] }));
    const stale = await lockCmd(jqManifest, jqLock, "--check");
    expect(stale.exitCode).toBe(1);
    expect(stale.stderr).toMatch(/^error: .*is stale: the manifest changed/m);
    expect(stale.stderr).toContain("root added: less");
    expect(readFileSync(jqLock, "utf8")).toBe(lockText);
  });

  it("an unknown package is one error naming it", async () => {
    const r = await lockCmd(manifest("unknown", ["jq", "no-such-package-here"]), join(dir, "unknown.lock.json"));
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^error: .*cannot resolve package no-such-package-here/m);
  });

  it("a name in no index of the archive is called a typo, with did you mean (issue 19 item 4)", async () => {
    const r = await lockCmd(manifest("typo", ["jq", "pyton3"]), join(dir, "typo.lock.json"));
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^error: .*cannot resolve package pyton3/m);
    expect(r.stderr).toMatch(/^ {2}fix: {6}a typo in the manifest's packages\? pyton3 is in no index of the archive: did you mean "python3"/m);
  });

  it("two roots that conflict are one error naming a package", async () => {
    const r = await lockCmd(manifest("conflict", ["systemd-sysv", "sysvinit-core"]), join(dir, "conflict.lock.json"));
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^error: .*cannot resolve package.* (systemd-sysv|sysvinit-core)/m);
  });
});
