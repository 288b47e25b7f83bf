// The .debs a phase installs, as Buck2 fetched them (rules/private/fetch.bzl): each one checked against the sha256
// of the lock before anything of it reaches an image.
import { createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { StrataError, type ErrorDetail } from "../errors.js";

export interface DebToInstall {
  name: string;
  version: string;
  architecture: string;
  sha256: string;
  essential: boolean;
  pre_depends: string[];
  depends: string[];
  /** host path of the .deb */
  deb: string;
}

async function sha256File(path: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest("hex");
}

/** Every .deb has the digest of the lock; all mismatches in one error. */
export async function verifyDebs(debs: DebToInstall[], ctx: { label: string; feature: string }): Promise<void> {
  const errors: ErrorDetail[] = [];
  for (const d of debs) {
    if (!existsSync(d.deb)) {
      errors.push({ label: ctx.label, feature: ctx.feature, message: `package ${d.name} ${d.version}: the .deb is missing`, expected: d.deb, found: "no such file" });
      continue;
    }
    const got = await sha256File(d.deb);
    if (got !== d.sha256) errors.push({ label: ctx.label, feature: ctx.feature, message: `package ${d.name} ${d.version}: the .deb has the wrong sha256`, expected: d.sha256, found: got });
  }
  if (errors.length > 0) throw new StrataError(errors);
}
