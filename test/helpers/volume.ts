// Test-side access to the loopback btrfs volume made by global-setup.ts.
import { inject, describe } from "vitest";
import { mkdtempSync } from "node:fs";
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
