// Creates one real loopback btrfs volume for the whole test run and hands its mount point to the tests.
// Root is required. Under CI=true a missing volume is a hard failure: the btrfs suites must never skip silently.
import type { TestProject } from "vitest/node";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

declare module "vitest" {
  export interface ProvidedContext {
    btrfsRoot: string | null;
    btrfsUnavailableReason: string | null;
    scratchRoot: string;
  }
}

let mountPoint: string | null = null;
let imageDir: string | null = null;

function run(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
}

export function setup(project: TestProject): void {
  // tests run the CLI as users do, from the bundle (bin/strata.mjs); rebuild it so it matches the sources
  execFileSync(process.execPath, [fileURLToPath(new URL("../../bin/bundle.mjs", import.meta.url))], { stdio: ["ignore", "inherit", "inherit"] });
  const scratch = mkdtempSync(join(tmpdir(), "strata-test-"));
  project.provide("scratchRoot", scratch);
  let reason: string | null = null;
  if (process.env.STRATA_TEST_ROOTLESS === "1") {
    // the suites run inside strata's user namespace (`strata unshare -- npx vitest ...`, test/rootless): no loopback
    // mount there; the working volumes go under STRATA_TEST_VOLUMES (a btrfs the user can write) or the scratch
    // directory (copy backend)
    mountPoint = process.env.STRATA_TEST_VOLUMES ?? join(scratch, "volumes");
    mkdirSync(mountPoint, { recursive: true });
  } else if (process.getuid?.() !== 0) {
    reason = "tests that need btrfs must run as root (they create a loopback volume)";
  } else {
    try {
      imageDir = mkdtempSync(join(tmpdir(), "strata-btrfs-img-"));
      const img = join(imageDir, "volume.img");
      run("truncate", ["-s", "8G", img]);
      run("mkfs.btrfs", ["-q", img]);
      mountPoint = join(scratch, "btrfs");
      mkdirSync(mountPoint);
      run("mount", ["-o", "loop", img, mountPoint]);
    } catch (e) {
      reason = `could not create a loopback btrfs volume: ${(e as Error).message}`;
      mountPoint = null;
    }
  }
  if (reason !== null && process.env.CI === "true") {
    throw new Error(`CI=true but ${reason}`);
  }
  project.provide("btrfsRoot", mountPoint);
  project.provide("btrfsUnavailableReason", reason);
}

export function teardown(): void {
  if (mountPoint !== null) {
    try {
      run("umount", ["-l", mountPoint]);
    } catch {
      /* leave it for the next boot; it is under tmp */
    }
  }
  if (imageDir !== null) rmSync(imageDir, { recursive: true, force: true });
}
