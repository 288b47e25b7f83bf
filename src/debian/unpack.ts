// The file trees of many .debs extracted into one root, as a Debian bootstrap starts (mmdebstrap's "extract" step),
// checked across packages before anything is written:
//   1. decompress: every package's data.tar to a plain tar in a scratch directory, `jobs` packages at a time
//      (src/archive/batch.ts);
//   2. check (here, reading only the tar headers): no member leaves the root (`..`, links out, also through another
//      package's symlinks or the merged-/usr links), no member kind strata does not extract, and no path that two
//      packages both ship (dpkg would refuse the second), nor a package replacing a merged-/usr link;
//   3. extract: the plain tars in package order, again in one process.
// Steps 1 and 3 run through `run`: the flavor's build appliance (its dpkg-deb, tar and decompressors), or the host
// when the flavor has none. The scratch directory and the root must be visible to `run` at their host paths.
import { rmSync, mkdirSync } from "node:fs";
import { basename } from "node:path";
import { StrataError, type ErrorDetail } from "../errors.js";
import { climbingName, debsToPlainTars, escapes, extractTars, failedArchive, memberRel, plainTarOf, tarFileHeaders, type ArchiveMember, type ScriptRunner } from "../archive/index.js";

export interface DebFile {
  name: string;
  version: string;
  /** host path of the .deb */
  deb: string;
}

export interface UnpackOptions {
  root: string;
  /** a directory for the plain tars (removed afterwards), on a filesystem with room for them */
  scratch: string;
  /** the merged-/usr links the root has (`bin` → `usr/bin`, ...), names only */
  mergedLinks: string[];
  /** packages decompressed at once */
  jobs: number;
  label: string;
  feature: string;
  run: ScriptRunner;
  /** called after each step, for STRATA_TRACE */
  trace?: (step: string) => void;
}

const KINDS: Record<string, ArchiveMember["kind"]> = { "0": "file", "7": "file", "1": "link", "2": "symlink", "5": "directory" };

/** the path as it lands in a merged-/usr root: bin/x → usr/bin/x */
function canonical(rel: string, merged: Set<string>): string {
  const slash = rel.indexOf("/");
  const top = slash < 0 ? rel : rel.slice(0, slash);
  return merged.has(top) && slash >= 0 ? `usr/${rel}` : rel;
}

/** Checks the packages' members together; returns every problem, each naming its package(s). */
export function checkPackages(packages: { name: string; members: { name: string; type: string; linkname: string }[] }[], mergedLinks: string[]): string[] {
  const merged = new Set(mergedLinks);
  const problems: string[] = [];
  const owner = new Map<string, { pkg: string; dir: boolean }>();
  // the merged-/usr links come first: a member under bin/ goes through them
  const all: ArchiveMember[] = mergedLinks.map((l) => ({ rel: l, kind: "symlink", mode: 0o777, uid: 0, gid: 0, linkname: `usr/${l}` }));
  const from: string[] = mergedLinks.map(() => "(merged /usr)");
  const clashes = new Map<string, Set<string>>();
  for (const p of packages) {
    for (const m of p.members) {
      const rel = memberRel(m.name);
      if (rel === null) {
        problems.push(`package ${p.name}: ${climbingName(m.name, "the image root")}`);
        continue;
      }
      if (rel === "") continue;
      const kind = KINDS[m.type];
      if (kind === undefined) {
        problems.push(`package ${p.name}: member "${rel}" is of a kind strata does not extract (tar type ${JSON.stringify(m.type)})`);
        continue;
      }
      if (merged.has(rel) && kind !== "directory") problems.push(`package ${p.name}: member "${rel}" would replace the merged-/usr link /${rel}`);
      const key = canonical(rel, merged);
      const dir = kind === "directory";
      const seen = owner.get(key);
      if (seen === undefined) owner.set(key, { pkg: p.name, dir });
      else if (!(seen.dir && dir) && seen.pkg !== p.name) {
        const set = clashes.get(key) ?? new Set([seen.pkg]);
        set.add(p.name);
        clashes.set(key, set);
      }
      all.push({ rel, kind, mode: 0, uid: 0, gid: 0, linkname: m.linkname });
      from.push(p.name);
    }
  }
  for (const [path, pkgs] of clashes) problems.push(`packages ${[...pkgs].join(" and ")} both ship /${path}`);
  problems.push(...escapes(all, "the image root"));
  return problems;
}

function failedPackage(stderr: string, debs: DebFile[]): DebFile | undefined {
  const file = failedArchive(stderr);
  if (file === undefined) return undefined;
  return debs.find((d) => basename(d.deb) === file);
}

/** Extracts the data of `debs` into `o.root` (see the file comment); throws a StrataError naming the package(s). */
export async function unpackDebs(debs: DebFile[], o: UnpackOptions): Promise<void> {
  const trace = o.trace ?? (() => {});
  const fail = (message: string, found: string, notes: string[] = []): StrataError => new StrataError({ label: o.label, feature: o.feature, message, expected: "valid .deb packages that do not clash", found, notes });
  mkdirSync(o.scratch, { recursive: true });
  try {
    const dec = await debsToPlainTars(debs.map((d) => d.deb), o.scratch, o.jobs, o.run);
    if (dec.exitCode !== 0) {
      const d = failedPackage(dec.stderr, debs);
      throw fail(`cannot read the data of package ${d !== undefined ? `${d.name} ${d.version}` : "(unknown)"}`, dec.stderr.trim().split("\n").slice(-5).join(" | "));
    }
    trace(`decompress ${debs.length} packages (${o.jobs} at a time)`);
    const tars = debs.map((d) => plainTarOf(d.deb, o.scratch));
    const packages = debs.map((d, i) => {
      try {
        return { name: d.name, members: tarFileHeaders(tars[i]!) };
      } catch (e) {
        throw fail(`cannot read the data of package ${d.name} ${d.version}`, (e as Error).message);
      }
    });
    const problems = checkPackages(packages, o.mergedLinks);
    if (problems.length > 0) {
      const details: ErrorDetail[] = problems.map((p) => ({ kind: /both ship/.test(p) ? "conflict" : "schema", label: o.label, feature: o.feature, message: p, expected: "packages whose files stay inside the image and do not overlap", found: "extracted nothing" }));
      throw new StrataError(details);
    }
    trace(`check ${packages.reduce((s, p) => s + p.members.length, 0)} members`);
    const ext = await extractTars(o.root, tars, o.scratch, o.run);
    if (ext.exitCode !== 0) {
      const d = failedPackage(ext.stderr, debs);
      throw fail(`cannot extract package ${d !== undefined ? `${d.name} ${d.version}` : "(unknown)"}`, ext.stderr.trim().split("\n").slice(-5).join(" | "));
    }
    trace("extract");
  } finally {
    rmSync(o.scratch, { recursive: true, force: true });
  }
}
