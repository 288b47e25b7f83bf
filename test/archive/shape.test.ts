// Archive reading has one home: no module outside src/archive decompresses an archive, parses ar containers or
// walks tar members or runs tar to extract itself (writing archives, in src/packaging, is not reading them), except
// the few listed in ALLOWED with their reason.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { repoRoot } from "../rules/project.js";

const READING = [
  /createGunzip|gunzipSync|createUnzip|unzipSync|createInflate|inflateSync|createBrotliDecompress|brotliDecompress/,
  /["'`]-dc["'`]|--decompress|\bunzstd\b|\bxzcat\b|\bzcat\b|\bbzcat\b/,
  /--fsys-tarfile|dpkg-deb\s+(-x|--extract|-X|--vextract)/,
  /\.extract\(\)/, // tar-stream's reader
  /!<arch>/,
  /["'`](--extract|--get|-x[fvzjJpC]*)["'`]|\btar\s+(--extract|-x)/, // a tar extraction by a tool
];

// Readers outside src/archive, each for one pattern, with the reason it stays where it is.
const ALLOWED = new Map<string, { pattern: RegExp; why: string }>([
  [
    join("src", "portable", "apply.ts"),
    {
      pattern: READING[READING.length - 1]!,
      // strata's own phase diff, not a user's archive: apply.ts checks every name against the phase record before
      // GNU tar restores owners, modes and xattrs; src/archive runs no tools of src/packaging (an arrow back up)
      why: "extracts a portable phase diff strata wrote, whose names it checked against the phase record",
    },
  ],
]);

function sources(dir: string): string[] {
  return readdirSync(join(repoRoot, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts"))
    .map((f) => join(dir, f));
}

it("only src/archive reads archives", () => {
  const all = sources("src");
  expect(all).toContain(join("src", "archive", "decompress.ts"));
  const offenders = all
    .filter((f) => !f.startsWith(join("src", "archive") + "/"))
    .flatMap((f) => {
      const text = readFileSync(join(repoRoot, f), "utf8");
      return READING.filter((re) => re.test(text) && ALLOWED.get(f)?.pattern !== re).map((re) => `${f}: ${re.source}`);
    });
  expect(offenders).toEqual([]);
});

it("each allowed reader outside src/archive still reads what it is allowed for (no stale entries)", () => {
  for (const [file, { pattern, why }] of ALLOWED) {
    expect(why).not.toBe("");
    expect(pattern.test(readFileSync(join(repoRoot, file), "utf8")), `${file} no longer matches ${pattern.source}: remove it from ALLOWED`).toBe(true);
  }
});

it("the patterns catch what they are for", () => {
  // the pre-src/archive readers, as they were written
  const old = ['import { createGunzip } from "node:zlib";', 'spawn(tool, ["-dc", path])', "dpkg-deb --fsys-tarfile \"$1\" | tar -x", 'const MAGIC = "!<arch>\\n";', "const extract = tar.extract();", 'args: ["--extract", `--file=${diffTar}`]', 'tar -x --numeric-owner -f "$t"', 'spawn("tar", ["-xf", file])'];
  for (const line of old) expect(READING.some((re) => re.test(line)), line).toBe(true);
});
