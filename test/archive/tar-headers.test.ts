// The header-only tar walk the Debian bootstrap reads the packages' plain tars with (src/archive/tar-headers.ts).
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tarFileHeaders } from "../../src/archive/index.js";

describe("tarFileHeaders", () => {
  it("reads GNU long names and link targets, pax paths and symlinks, skipping contents", () => {
    const d = mkdtempSync(join(tmpdir(), "strata-tarh-"));
    const long = `${"d".repeat(120)}/${"f".repeat(130)}`;
    mkdirSync(join(d, "t", "d".repeat(120)), { recursive: true });
    writeFileSync(join(d, "t", long), "x".repeat(5000));
    symlinkSync(long, join(d, "t", "l"));
    for (const format of ["gnu", "pax"]) {
      execFileSync("tar", ["-c", `--format=${format}`, "-f", join(d, `${format}.tar`), "-C", join(d, "t"), "--sort=name", "."]);
      const h = tarFileHeaders(join(d, `${format}.tar`));
      expect(h.map((e) => [e.name.replace(/\/$/, ""), e.type]), format).toEqual([[".", "5"], [`./${"d".repeat(120)}`, "5"], [`./${long}`, "0"], ["./l", "2"]]);
      expect(h[3]!.linkname).toBe(long);
    }
  });
});
