// Paths into rules/ named by the sources and docs are real: a rule file moved without its mentions fails here.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { repoRoot } from "../rules/project.js";
import { filesUnder } from "./files.js";

/** `rules/a/b.bzl` and `rules/a/` as written in text, placeholders (`<type>`) left out. */
function rulesPaths(text: string): string[] {
  return [...text.matchAll(/(?<![\w/.-])rules\/[\w/.-]*(\.bzl|\/)(?![\w<])/g)].map((m) => m[0]);
}

it("the paths into rules/ that sources and docs name exist", () => {
  const files = [...["src", "runner", "rules", "docs", "bxl", "base", "examples"].flatMap(filesUnder), "README.md", "DEVELOPERS.md"].filter((f) => existsSync(join(repoRoot, f)));
  expect(files).toEqual(expect.arrayContaining(["src/features/types.ts", "rules/private/layer.bzl", "docs/architecture.md"]));
  const stale = files.flatMap((f) => rulesPaths(readFileSync(join(repoRoot, f), "utf8")).filter((p) => !existsSync(join(repoRoot, p))).map((p) => `${f}: ${p}`));
  expect(stale).toEqual([]);
});

it("the path pattern finds files and directories, not placeholders", () => {
  expect(rulesPaths("twin in rules/features/apt_plan.bzl, see rules/private/features/ and rules/private/features/<type>.bzl")).toEqual(["rules/features/apt_plan.bzl", "rules/private/features/"]);
});

// Outside rules/, the rules are reached through their public API only: rules/private/ may change under any user.
// The one exception is the strata cell's own toolchain target, which is plumbing, not something a user calls.
const PRIVATE_LOADS_ALLOWED = new Map([["BUCK", "//:toolchain, the toolchain the rules name; strata_toolchain is not user API"]]);

/** The .bzl files a Buck2 file loads from rules/, as written (`//rules:defs.bzl`, `@strata//rules/private:x.bzl`). */
export function rulesLoads(text: string): string[] {
  return [...text.matchAll(/\bload\(\s*"((?:@?[\w-]*)\/\/rules[^"]*)"/g)].map((m) => m[1]!);
}

it("outside rules/, Buck2 files load only rules/defs.bzl", () => {
  const buck = /(^|\/)(BUCK|TARGETS)$|\.(bzl|bxl)$/;
  const tops = ["BUCK", ...["base", "bxl", "examples", "debian", "remote", "bench", "test", "packages"].flatMap((d) => (existsSync(join(repoRoot, d)) ? filesUnder(d) : []))];
  const files = tops.filter((f) => buck.test(f));
  expect(files).toEqual(expect.arrayContaining(["BUCK", "base/BUCK", "bxl/strata.bxl"]));
  const bad = files.flatMap((f) =>
    rulesLoads(readFileSync(join(repoRoot, f), "utf8"))
      .filter((l) => !/^(@[\w-]*|[\w-]*)?\/\/rules:defs\.bzl$/.test(l) && !(PRIVATE_LOADS_ALLOWED.has(f) && l === "//rules/private:toolchain.bzl"))
      .map((l) => `${f}: load("${l}")`),
  );
  expect(bad).toEqual([]);
});

it("the load pattern reads the cell-qualified and plain spellings", () => {
  const text = 'load("//rules:defs.bzl", "image")\nload("@strata//rules/private:fetch.bzl", "deb_file")\nload(":local.bzl", "X")\nload("strata//rules/private/features:install.bzl", "install")\n';
  expect(rulesLoads(text)).toEqual(["//rules:defs.bzl", "@strata//rules/private:fetch.bzl", "strata//rules/private/features:install.bzl"]);
});
