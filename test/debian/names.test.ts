// "did you mean" for a package name in no index of the archive (issue 19 item 4): the closest names by edit distance.
import { describe, expect, it } from "vitest";
import { closestNames, editDistance } from "../../src/debian/names.js";
import { declaredFlavors } from "../../src/debian/plan-problems.js";
import { repoRoot } from "../runner/helpers.js";

const INDEX = ["python3", "python3-minimal", "cython3", "ipython3", "python2", "jq", "curl", "libcurl4", "less", "lesspipe"];

describe("did you mean", () => {
  it("edit distance counts a swap of two neighbours as one edit", () => {
    expect(editDistance("pyton3", "python3")).toBe(1);
    expect(editDistance("pyhton3", "python3")).toBe(1);
    expect(editDistance("crul", "curl")).toBe(1);
    expect(editDistance("jq", "jq")).toBe(0);
    expect(editDistance("", "abc")).toBe(3);
  });

  it("gives the closest names first, within a third of the name's length", () => {
    expect(closestNames("pyton3", INDEX)).toEqual(["python3", "cython3", "ipython3"]);
    expect(closestNames("crul", INDEX)).toEqual(["curl"]);
    expect(closestNames("lesss", INDEX)).toEqual(["less"]);
    expect(closestNames("zzzzzz", INDEX)).toEqual([]);
  });

  it("the project's flavors are read from its build files", () => {
    expect(declaredFlavors(repoRoot)).toEqual(["//debian:bookworm", "//debian:bookworm-bootstrap"]);
  });
});
