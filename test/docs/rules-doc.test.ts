// docs/rules.md is generated (scripts/gen-rules-doc.mjs, `npm run docs`) from the docstrings of the public rules
// and macros and docs/rules.template.md: this fails when the committed page is stale, or when a public function's
// docstring leaves a parameter undescribed.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../rules/project.js";
// @ts-expect-error: a plain ES module script, without type declarations
import { render, section } from "../../scripts/gen-rules-doc.mjs";

interface Rendered {
  text: string;
  problems: string[];
}

describe("docs/rules.md", () => {
  it("is what `npm run docs` generates from the docstrings (run it after changing a public rule or macro)", () => {
    const { text, problems } = render() as Rendered;
    expect(problems).toEqual([]);
    expect(readFileSync(join(repoRoot, "docs", "rules.md"), "utf8") === text, "docs/rules.md is stale: run `npm run docs`").toBe(true);
  });

  it("documents every public function's parameters from its Args: section", () => {
    const { text } = render() as Rendered;
    expect(text).toContain("### `image.genrule_layer(name, parent_layer, rule_type, cmd = None, bash = None, user = \"nobody\", bind_repo_ro = False, antlir_rule = None, visibility = None)`");
    expect(text).toMatch(/^\| `shell` \| `"\/sbin\/nologin"` \| .+ \|$/m);
    expect(text).toMatch(/^\| `feature\.remove` \| remove \| .+ \|$/m);
  });

  it("refuses a docstring that leaves out a parameter or describes one that does not exist", () => {
    const sig = {
      file: "rules/x.bzl",
      line: 3,
      name: "f",
      params: [{ name: "a", required: true, keyword_only: false }, { name: "b", required: false, keyword_only: false, default_text: "None" }],
      doc: "Does f.\n\nArgs:\n    a: the a.\n    c: not a parameter.",
    };
    expect((section("x.f", sig) as Rendered).problems).toEqual([
      "rules/x.bzl:3: the docstring of x.f does not describe `b` under Args:",
      "rules/x.bzl:3: the docstring of x.f describes `c`, which is not a parameter",
    ]);
  });
});

describe("the IDE hover text of `feature` in rules/defs.bzl", () => {
  // buck2 lsp shows only the string before `feature = struct(...)`, so it lists each feature's signature by hand:
  // this keeps that list equal to the generated reference.
  it("lists every feature function with the signature docs/rules.md documents", () => {
    const { text } = render() as Rendered;
    const documented = [...text.matchAll(/^### `(feature\.\w+\(.*\))`$/gm)].map((m) => m[1]).sort();
    const defs = readFileSync(join(repoRoot, "rules", "defs.bzl"), "utf8");
    const hover = [...defs.matchAll(/^- `(feature\.\w+\(.*?\))`: /gm)].map((m) => m[1]).sort();
    expect(hover).toEqual(documented);
  });
});
