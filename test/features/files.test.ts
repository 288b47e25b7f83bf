// One test file per feature type: test/features/<type>.test.ts exists for every registered type and exercises it.
// The types whose tests need a whole suite's machinery (a Debian mirror, the isolation) name their file here.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { featureTypes } from "../../src/features/registry.js";
import { repoRoot } from "../rules/project.js";

const ELSEWHERE: Record<string, string> = {
  apt_install: "test/debian/images.test.ts",
  apt_remove: "test/debian/images.test.ts",
  apt_remove_if_exists: "test/debian/images.test.ts",
  genrule: "test/isolation/genrule.test.ts",
};

it("every registered feature type has its test file, which uses that type", () => {
  const types = featureTypes();
  expect(types.length).toBeGreaterThan(15);
  const problems: string[] = [];
  for (const t of types) {
    const file = ELSEWHERE[t] ?? `test/features/${t}.test.ts`;
    if (!existsSync(join(repoRoot, file))) problems.push(`${t}: no ${file}`);
    else if (!readFileSync(join(repoRoot, file), "utf8").includes(t)) problems.push(`${t}: ${file} does not mention ${t}`);
  }
  expect(problems).toEqual([]);
  for (const t of Object.keys(ELSEWHERE)) expect(types, `ELSEWHERE names an unknown type ${t}`).toContain(t);
});

