// Many archives at once, each step in ONE process tree rather than one process started from here per archive:
// the data.tar of each .deb decompressed to a plain tar (`dpkg-deb --fsys-tarfile`, `jobs` at a time through
// xargs -P), and plain tars extracted into a root in order (`tar -x --keep-directory-symlink`: a member ./bin must
// not replace a link). Both run through `run`, which decides whose tools they are (a build appliance's or the host's);
// the paths handed to it must be visible to it at their host paths. What the archives may contain is the caller's rule.
import { basename, dirname, join } from "node:path";

export interface ScriptResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** runs `argv` (a shell script and its arguments) with `input` on stdin; `ro`/`rw`: host paths it reads / writes */
export type ScriptRunner = (argv: string[], input: string, paths: { ro: string[]; rw: string[] }) => Promise<ScriptResult>;

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

/** The data.tar of each .deb (host paths) as a plain tar in `scratch`, at `plainTarOf(deb, scratch)`. */
export function debsToPlainTars(debs: string[], scratch: string, jobs: number, run: ScriptRunner): Promise<ScriptResult> {
  return run(["sh", "-c", DECOMPRESS, "strata-unpack", scratch, String(Math.max(1, jobs))], debs.join("\n") + "\n", { ro: [...new Set(debs.map((d) => dirname(d)))], rw: [scratch] });
}

export function plainTarOf(deb: string, scratch: string): string {
  return join(scratch, `${basename(deb)}.tar`);
}

/** The plain tars (in `scratch`) extracted into `root`, in order. */
export function extractTars(root: string, tars: string[], scratch: string, run: ScriptRunner): Promise<ScriptResult> {
  return run(["sh", "-c", EXTRACT, "strata-unpack", root, ...tars], "", { ro: [scratch], rw: [root] });
}

/** The base name of the archive a failed step names on stderr (the .deb's, for either step), if any. */
export function failedArchive(stderr: string): string | undefined {
  const m = /strata-unpack-failed: (\S+)/.exec(stderr);
  if (m === null) return undefined;
  return basename(m[1]!).replace(/\.tar$/, "");
}
