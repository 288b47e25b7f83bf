// The security, isolation and OCI suites, run again by an ordinary user inside strata's user namespace
// (`strata unshare -- vitest`), on a btrfs the user can write (a loopback volume root mounts for it, with one
// directory the user owns): hostile tarballs, host symlinks, `..`, hard links, the container's view (no host files,
// no network), genrules and image tests, with unprivileged subvolume create, snapshot and delete.
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { checkout, describeRootless, ensureUser, ROOTLESS_USER, runAs, type TestUser } from "./helpers.js";

const SUITES = ["test/security", "test/isolation", "test/packaging/oci.test.ts", "test/packaging/errors.test.ts"];

describeRootless("rootless: the security and isolation suites as an ordinary user", () => {
  let user: TestUser;
  let co: { dir: string; env: Record<string, string> };
  let base: string;
  let mnt: string;

  beforeAll(() => {
    user = ensureUser(ROOTLESS_USER, true);
    co = checkout(join(user.home, "checkouts"), user);
    base = mkdtempSync("/tmp/strata-rootless-btrfs-");
    chmodSync(base, 0o755);
    mnt = join(base, "mnt");
    mkdirSync(mnt);
    execFileSync("truncate", ["-s", "8G", join(base, "volume.img")]);
    execFileSync("mkfs.btrfs", ["-q", join(base, "volume.img")]);
    execFileSync("mount", ["-o", "loop", join(base, "volume.img"), mnt]);
    mkdirSync(join(mnt, "user"));
    execFileSync("chown", [`${user.uid}:${user.gid}`, join(mnt, "user")]);
  }, 300_000);

  afterAll(() => {
    if (mnt !== undefined) execFileSync("umount", ["-l", mnt]);
    if (base !== undefined) rmSync(base, { recursive: true, force: true });
    if (co !== undefined) rmSync(co.dir, { recursive: true, force: true });
  });

  it("every test passes, none skipped", async () => {
    const report = join(co.dir, "rootless-report.json");
    const r = await runAs(
      user,
      co.dir,
      [process.execPath, "bin/strata.mjs", "unshare", "--", process.execPath, "node_modules/vitest/vitest.mjs", "run", ...SUITES, "--reporter=json", `--outputFile=${report}`],
      { ...co.env, CI: "true", STRATA_TEST_ROOTLESS: "1", STRATA_TEST_VOLUMES: join(mnt, "user", "volumes") },
    );
    if (!existsSync(report)) throw new Error(`no report from the rootless vitest run (exit ${r.exitCode}):\n${r.stderr.slice(-4000)}`);
    const json = JSON.parse(readFileSync(report, "utf8")) as { numPassedTests: number; numFailedTests: number; numPendingTests: number; testResults: { name: string; assertionResults: { status: string; fullName: string }[] }[] };
    const failed = json.testResults.flatMap((f) => f.assertionResults.filter((a) => a.status === "failed").map((a) => `${f.name}: ${a.fullName}`));
    expect(failed, r.stderr.slice(-4000)).toEqual([]);
    expect(json.numPendingTests).toBe(0);
    expect(json.numPassedTests, r.stderr.slice(-3000)).toBeGreaterThan(140);
    expect(r.exitCode).toBe(0);
  }, 1_200_000);
});
