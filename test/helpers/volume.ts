// Test-side access to the loopback btrfs volume made by global-setup.ts.
import { inject, describe } from "vitest";
import { lstatSync, mkdtempSync, readdirSync } from "node:fs";
import { join } from "node:path";

export function btrfsRoot(): string {
  const root = inject("btrfsRoot");
  if (root === null) throw new Error(`btrfs volume unavailable: ${inject("btrfsUnavailableReason")}`);
  return root;
}

/** A fresh directory on the btrfs volume, unique per call. */
export function freshBtrfsDir(prefix = "t-"): string {
  return mkdtempSync(join(btrfsRoot(), prefix));
}

/** A fresh directory outside btrfs (plain tmp), unique per call. */
export function freshScratchDir(prefix = "s-"): string {
  return mkdtempSync(join(inject("scratchRoot"), prefix));
}

/**
 * describe() for suites that need btrfs. Outside CI on a machine without root it skips with the reason;
 * under CI=true global setup has already failed the run if the volume is missing, so nothing is skipped there.
 */
export const describeBtrfs = (name: string, fn: () => void): void => {
  const available = inject("btrfsRoot") !== null;
  if (available) describe(name, fn);
  else describe.skip(`${name} (skipped: ${inject("btrfsUnavailableReason")})`, fn);
};

/** the btrfs subvolumes under `dir` (the first inode of a subvolume is 256), relative to it; found by walking, not
 * by `btrfs subvolume list` of the shared test volume, which other tests change meanwhile */
export function subvolumesUnder(dir: string, rel = ""): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(dir, rel)).sort()) {
    const sub = rel === "" ? name : `${rel}/${name}`;
    const st = lstatSync(join(dir, sub));
    if (!st.isDirectory()) continue;
    if (st.ino === 256) out.push(sub);
    else out.push(...subvolumesUnder(dir, sub));
  }
  return out;
}
