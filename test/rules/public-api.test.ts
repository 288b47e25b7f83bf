// One public face: rules/defs.bzl is the only rules file users load. Everything else is under rules/private/, and
// nothing a user would copy (examples, test fixtures and BUCK snippets in tests, the docs) loads it. The only files
// allowed to load rules/private/ are the rules themselves and the repository's own internal packages listed here.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./project.js";

/** strata's own plumbing, not examples: the toolchain target, the pinned base .debs, the BXL scripts */
const INTERNAL = new Set(["BUCK", "base/BUCK", "bxl/strata.bxl"]);
const SKIP_DIRS = new Set(["node_modules", ".git", "buck-out", "strata-out", "dist", "rules", "prelude"]);

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (SKIP_DIRS.has(name)) continue;
    const p = join(dir, name);
    const st = statSync(p, { throwIfNoEntry: false });
    if (st === undefined) continue;
    if (st.isDirectory()) walk(p, out);
    else if (/(^BUCK|^TARGETS|\.bzl|\.bxl|\.ts|\.md)$/.test(name)) out.push(p);
  }
  return out;
}

/** every `load("<cell>//rules...:<file>"` of strata's rules in a text, as "rules/<dir>:<file>" */
function rulesLoads(text: string): string[] {
  return [...text.matchAll(/load\(\s*\\?["'](?:@?(?:root|strata))?\/\/(rules(?:\/[\w/]+)?:[\w.]+)\\?["']/g)].map((m) => m[1]!);
}

describe("rules/defs.bzl is the one public face", () => {
  it("rules/ holds only defs.bzl and private/", () => {
    expect(readdirSync(join(repoRoot, "rules")).sort()).toEqual(["defs.bzl", "private"]);
  });

  it("examples, tests, fixtures and docs load only rules/defs.bzl", () => {
    const offenders: string[] = [];
    let seen = 0;
    for (const file of walk(repoRoot)) {
      const rel = relative(repoRoot, file);
      // these two tests hold private loads as the inputs of their own load scanners
      if (INTERNAL.has(rel) || rel === "test/rules/public-api.test.ts" || rel === "test/architecture/rules-paths.test.ts") continue;
      for (const l of rulesLoads(readFileSync(file, "utf8"))) {
        seen++;
        // the driver's tests build their own small projects, whose rules/ is not strata's
        const strataFile = l.startsWith("rules/private") || existsSync(join(repoRoot, l.replace(":", "/")));
        if (l !== "rules:defs.bzl" && strataFile) offenders.push(`${rel}: load of //${l}`);
      }
    }
    expect(offenders).toEqual([]);
    expect(seen).toBeGreaterThan(20); // the scan does find the loads (examples, fixtures, tests' BUCK snippets)
  });

  it("the scan catches a load of a private file", () => {
    expect(rulesLoads('load("//rules/private:layer.bzl", "layer")\nload("@strata//rules:defs.bzl", "image")')).toEqual([
      "rules/private:layer.bzl",
      "rules:defs.bzl",
    ]);
  });
});
