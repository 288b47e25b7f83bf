// Archive reading has one home: no module outside src/archive decompresses an archive, parses ar containers or
// walks tar members itself (writing archives, in src/packaging, is not reading them).
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
];

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
      return READING.filter((re) => re.test(text)).map((re) => `${f}: ${re.source}`);
    });
  expect(offenders).toEqual([]);
});

it("the patterns catch what they are for", () => {
  // the pre-src/archive readers, as they were written
  const old = ['import { createGunzip } from "node:zlib";', 'spawn(tool, ["-dc", path])', "dpkg-deb --fsys-tarfile \"$1\" | tar -x", 'const MAGIC = "!<arch>\\n";', "const extract = tar.extract();"];
  for (const line of old) expect(READING.some((re) => re.test(line)), line).toBe(true);
});
