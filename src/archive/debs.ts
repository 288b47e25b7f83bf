// The file trees of many .debs extracted into one root, as a Debian bootstrap starts (mmdebstrap's "extract" step),
// checked across packages before anything is written:
//   1. decompress: every package's data.tar to a plain tar in a scratch directory, `jobs` packages at a time, by
//      `dpkg-deb --fsys-tarfile` in ONE process tree (xargs -P), not one process started from here per package;
//   2. check (here, reading only the tar headers): no member leaves the root (`..`, links out, also through another
//      package's symlinks or the merged-/usr links), no member kind strata does not extract, and no path that two
//      packages both ship (dpkg would refuse the second), nor a package replacing a merged-/usr link;
//   3. extract: the plain tars in package order, by `tar -x --keep-directory-symlink` (a member ./bin must not
//      replace the link), again in one process.
// Steps 1 and 3 run through `run`: the flavor's build appliance (its dpkg-deb, tar and decompressors), or the host
// when the flavor has none. The scratch directory and the root must be visible to `run` at their host paths.
import { rmSync, mkdirSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { StrataError, type ErrorDetail } from "../errors.js";
import { climbingName, escapes, memberRel, type ArchiveMember } from "./tar.js";
import { tarFileHeaders } from "./tar-headers.js";

export interface DebFile {
  name: string;
  version: string;
  /** host path of the .deb */
  deb: string;
}

export interface ScriptResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** runs `argv` (a shell script and its arguments) with `input` on stdin; `ro`/`rw`: host paths it reads / writes */
export type ScriptRunner = (argv: string[], input: string, paths: { ro: string[]; rw: string[] }) => Promise<ScriptResult>;

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

const DECOMPRESS = `set -u
cd "$1"
tr '\\n' '\\0' | xargs -0 -r -P "$2" -n 1 sh -c 'dpkg-deb --fsys-tarfile "$1" > "\${1##*/}.tar" || { echo "strata-unpack-failed: $1" >&2; exit 255; }' sh
`;

const EXTRACT = `set -eu
root=$1; shift
for t in "$@"; do
  tar -x --keep-directory-symlink --numeric-owner -p -C "$root" -f "$t" || { echo "strata-unpack-failed: $t" >&2; exit 1; }
done
`;

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
  const m = /strata-unpack-failed: (\S+)/.exec(stderr);
  if (m === null) return undefined;
  const file = basename(m[1]!).replace(/\.tar$/, "");
  return debs.find((d) => basename(d.deb) === file);
}

/** Extracts the data of `debs` into `o.root` (see the file comment); throws a StrataError naming the package(s). */
export async function unpackDebs(debs: DebFile[], o: UnpackOptions): Promise<void> {
  const trace = o.trace ?? (() => {});
  const fail = (message: string, found: string, notes: string[] = []): StrataError => new StrataError({ label: o.label, feature: o.feature, message, expected: "valid .deb packages that do not clash", found, notes });
  mkdirSync(o.scratch, { recursive: true });
  try {
    const dec = await o.run(["sh", "-c", DECOMPRESS, "strata-unpack", o.scratch, String(Math.max(1, o.jobs))], debs.map((d) => d.deb).join("\n") + "\n", { ro: [...new Set(debs.map((d) => dirname(d.deb)))], rw: [o.scratch] });
    if (dec.exitCode !== 0) {
      const d = failedPackage(dec.stderr, debs);
      throw fail(`cannot read the data of package ${d !== undefined ? `${d.name} ${d.version}` : "(unknown)"}`, dec.stderr.trim().split("\n").slice(-5).join(" | "));
    }
    trace(`decompress ${debs.length} packages (${o.jobs} at a time)`);
    const tars = debs.map((d) => join(o.scratch, `${basename(d.deb)}.tar`));
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
    const ext = await o.run(["sh", "-c", EXTRACT, "strata-unpack", o.root, ...tars], "", { ro: [o.scratch], rw: [o.root] });
    if (ext.exitCode !== 0) {
      const d = failedPackage(ext.stderr, debs);
      throw fail(`cannot extract package ${d !== undefined ? `${d.name} ${d.version}` : "(unknown)"}`, ext.stderr.trim().split("\n").slice(-5).join(" | "));
    }
    trace("extract");
  } finally {
    rmSync(o.scratch, { recursive: true, force: true });
  }
}
