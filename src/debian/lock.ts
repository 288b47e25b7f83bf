// The package lock (debian/<name>.lock.json): one consistent solution of a manifest's roots against a Debian
// archive, written by `strata deb-lock`. It names no host: each package is its pool filename, size and sha256;
// the mirror comes from `[strata] debian_mirror` at build time.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { z } from "zod";
import { StrataError } from "../errors.js";

export const manifestSchema = z.strictObject({
  suites: z.array(z.string().min(1)).min(1),
  components: z.array(z.string().min(1)).min(1).default(["main"]),
  architectures: z.array(z.string().min(1)).min(1).default(["amd64"]),
  /** include every `Essential: yes` package (what a bootstrap needs) */
  essential: z.boolean().default(true),
  /** the packages layers built from this lock may ask for */
  packages: z.array(z.string().regex(/^[a-z0-9][a-z0-9+.-]*$/, { message: "a Debian package name" })),
});
export type Manifest = z.infer<typeof manifestSchema>;

export interface LockedPackage {
  version: string;
  architecture: string;
  /** path in the archive (the Packages index's Filename) */
  filename: string;
  size: number;
  sha256: string;
  essential: boolean;
  /** locked packages this one pre-depends on (one per alternative group, the alternative the solution chose) */
  pre_depends: string[];
  depends: string[];
  /** virtual packages it provides (for messages) */
  provides?: string[];
}

export interface Lock {
  manifest_sha256: string;
  archive: { suites: string[]; components: string[]; architectures: string[] };
  releases: { suite: string; codename: string; date: string; sha256: string }[];
  essential: boolean;
  roots: string[];
  packages: Record<string, LockedPackage>;
}

export function readManifest(path: string): { manifest: Manifest; digest: string } {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new StrataError({ label: path, message: `cannot read the manifest: ${(e as Error).message}` });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new StrataError({ label: path, message: `the manifest is not valid JSON: ${(e as Error).message}` });
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    throw new StrataError(parsed.error.issues.map((i) => ({ label: path, message: `invalid manifest field "${i.path.join(".")}"`, expected: i.message, found: JSON.stringify(i.path.reduce<unknown>((v, k) => (v as Record<PropertyKey, unknown>)?.[k as PropertyKey], raw)) })));
  }
  return { manifest: parsed.data, digest: manifestDigest(parsed.data) };
}

/** The digest of the manifest's meaning (sorted, defaults filled), so reformatting it does not make a lock stale. */
export function manifestDigest(m: Manifest): string {
  const canonical = { suites: m.suites, components: m.components, architectures: m.architectures, essential: m.essential, packages: [...new Set(m.packages)].sort() };
  return createHash("sha256").update(JSON.stringify(canonical)).digest("hex");
}

/** Sorted keys at every level, two-space indent, final newline: the same lock gives the same bytes. */
export function formatLock(lock: Lock): string {
  const sortKeys = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sortKeys);
    if (v !== null && typeof v === "object") return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
    return v;
  };
  return JSON.stringify(sortKeys(lock), null, 2) + "\n";
}

/** What differs between two locks, one line each (for `deb-lock --check`). */
export function diffLocks(old: Lock, fresh: Lock): string[] {
  const out: string[] = [];
  if (old.manifest_sha256 !== fresh.manifest_sha256) out.push(`the manifest changed (digest ${old.manifest_sha256.slice(0, 12)} -> ${fresh.manifest_sha256.slice(0, 12)})`);
  const oldRoots = new Set(old.roots);
  const newRoots = new Set(fresh.roots);
  for (const r of fresh.roots) if (!oldRoots.has(r)) out.push(`root added: ${r}`);
  for (const r of old.roots) if (!newRoots.has(r)) out.push(`root removed: ${r}`);
  const archive = (a: Lock["archive"]) => JSON.stringify([a.suites, a.components, a.architectures]);
  if (archive(old.archive) !== archive(fresh.archive)) out.push(`archive changed: ${archive(old.archive)} -> ${archive(fresh.archive)}`);
  const releases = (l: Lock) => new Map(l.releases.map((r) => [r.suite, r]));
  for (const [suite, r] of releases(fresh)) {
    const before = releases(old).get(suite);
    if (before !== undefined && before.sha256 !== r.sha256) out.push(`release ${suite} changed: ${before.date} -> ${r.date}`);
  }
  for (const name of [...new Set([...Object.keys(old.packages), ...Object.keys(fresh.packages)])].sort()) {
    const a = old.packages[name];
    const b = fresh.packages[name];
    if (a === undefined) out.push(`package added: ${name} ${b!.version}`);
    else if (b === undefined) out.push(`package removed: ${name} ${a.version}`);
    else if (a.version !== b.version || a.sha256 !== b.sha256) out.push(`package changed: ${name} ${a.version} -> ${b.version}`);
  }
  return out;
}
