// Pure parts of the Debian support: relation parsing (Packages/control fields) and Pre-Depends batches.
import { describe, expect, it } from "vitest";
import { parseParagraphs, parseRelations } from "../../src/debian/control.js";
import type { DebToInstall } from "../../src/debian/fetched.js";
import { preDependsBatches } from "../../src/debian/dpkg-install.js";

const deb = (name: string, pre_depends: string[] = []): DebToInstall => ({ name, version: "1", architecture: "amd64", sha256: "0".repeat(64), essential: false, pre_depends, depends: [], deb: `/x/${name}.deb` });

describe("debian control data", () => {
  it("parses alternatives, versions, arch qualifiers and continuation lines", () => {
    expect(parseRelations("libc6 (>= 2.34), awk | mawk:any,\n python3:any (<< 3.12) [amd64]")).toEqual([
      [{ name: "libc6", op: ">=", version: "2.34" }],
      [{ name: "awk" }, { name: "mawk", archQualifier: "any" }],
      [{ name: "python3", archQualifier: "any", op: "<<", version: "3.12" }],
    ]);
    expect(parseRelations(undefined)).toEqual([]);
    const [p] = parseParagraphs("Package: a\nDescription: one\n more\n\n");
    expect(p!.get("Description")).toBe("one\nmore");
  });
});

describe("Pre-Depends batches", () => {
  it("puts each package after what it pre-depends on, ignoring packages outside the set", () => {
    const batches = preDependsBatches([deb("uuid-runtime", ["libuuid1", "init-system-helpers"]), deb("libuuid1"), deb("jq"), deb("x", ["uuid-runtime", "not-here"])]);
    expect(batches.map((b) => b.map((d) => d.name))).toEqual([["jq", "libuuid1"], ["uuid-runtime"], ["x"]]);
  });

  it("keeps a Pre-Depends cycle in one batch instead of looping", () => {
    const batches = preDependsBatches([deb("a", ["b"]), deb("b", ["a"])]);
    expect(batches.flat().map((d) => d.name).sort()).toEqual(["a", "b"]);
  });
});
