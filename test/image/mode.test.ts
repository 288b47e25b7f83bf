import { describe, expect, it } from "vitest";
import { applySymbolicMode, resolveMode, isValidModeString } from "../../src/image/mode.js";

describe("symbolic modes", () => {
  const cases: Array<[string, boolean, number]> = [
    ["a+rx", false, 0o555],
    ["u=rw,go=r", false, 0o644],
    ["u=rwx,g=rx,o=", true, 0o750],
    ["+x", false, 0o111],
    ["a+rwX", true, 0o777],
    ["a+rwX", false, 0o666],
    ["u+rwx,g+s", true, 0o2700],
    ["u+s,o+t", false, 0o5000],
    ["a=r,u+w", false, 0o644],
    ["ug=rw,o-rwx", false, 0o660],
    ["u=rwx,g=u,o=g", false, 0o777],
    ["0750", false, 0o750],
    ["644", false, 0o644],
    ["u+x-x", false, 0o000],
  ];
  for (const [spec, isDir, want] of cases) {
    it(`${spec} (${isDir ? "dir" : "file"}) → ${want.toString(8)}`, () => {
      expect(applySymbolicMode(0, spec, isDir)).toBe(want);
    });
  }

  it("X keeps x when the base already has an x bit", () => {
    expect(applySymbolicMode(0o744, "go+X", false)).toBe(0o755);
    expect(applySymbolicMode(0o644, "go+X", false)).toBe(0o644);
  });

  it("= clears only the named classes", () => {
    expect(applySymbolicMode(0o777, "g=r", false)).toBe(0o747);
    expect(applySymbolicMode(0o4755, "u=rw", false)).toBe(0o655);
  });

  it("rejects malformed strings", () => {
    for (const bad of ["", "rwx", "a+q", "z+r", "u+r,", "8777", "u+rw g+r"]) {
      expect(isValidModeString(bad), bad).toBe(false);
      expect(() => applySymbolicMode(0, bad, false)).toThrow();
    }
  });

  it("resolveMode: integers, null default, out of range", () => {
    expect(resolveMode(0o640, false, 0o444)).toBe(0o640);
    expect(resolveMode(null, false, 0o444)).toBe(0o444);
    expect(resolveMode(undefined, true, 0o755)).toBe(0o755);
    expect(resolveMode("a+rX", true, 0)).toBe(0o555);
    expect(() => resolveMode(0o10000, false, 0)).toThrow(/0o7777/);
  });
});
