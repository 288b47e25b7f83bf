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
