import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findProjectRoot } from "../src/root.js";
import { fixture, local } from "./helpers.js";

describe("target patterns and the project root", () => {
  it("expands `//pkg:` and `//pkg/...`, and skips other cells", async () => {
    const dir = fixture("basic");
    const r = await local(dir, ["build", "//app:", "--show-output"]);
    expect(r.stdout.split("\n").map((l) => l.split(" ")[0])).toEqual(["root//app:both", "root//app:facts", "root//app:acopy"]);
    const all = await local(dir, ["build", "//...", "--show-output"]);
    expect(all.exitCode).toBe(0);
    expect(all.stdout.split("\n").map((l) => l.split(" ")[0]).sort()).toEqual(["root//app:acopy", "root//app:both", "root//app:facts"]);
  });

  it("finds the furthest .buckconfig upward, stopping at a .buckroot", () => {
    const dir = fixture("basic");
    mkdirSync(join(dir, "nested", "deeper"), { recursive: true });
    writeFileSync(join(dir, "nested", ".buckconfig"), "[cells]\nroot = .\n");
    expect(findProjectRoot(join(dir, "nested", "deeper"))).toBe(dir);
    writeFileSync(join(dir, "nested", ".buckroot"), "");
    expect(findProjectRoot(join(dir, "nested", "deeper"))).toBe(join(dir, "nested"));
  });
});
