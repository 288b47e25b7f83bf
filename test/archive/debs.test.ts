// The bootstrap's extraction check across packages (src/archive/debs.ts) and the header-only tar walk it reads the
// packages' plain tars with (src/archive/tar-headers.ts).
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkPackages, tarFileHeaders } from "../../src/archive/index.js";

const MERGED = ["bin", "sbin", "lib", "lib64"];
const file = (name: string) => ({ name, type: "0", linkname: "" });
const dir = (name: string) => ({ name, type: "5", linkname: "" });
const link = (name: string, linkname: string) => ({ name, type: "2", linkname });

describe("checkPackages", () => {
  it("accepts shared directories and distinct files", () => {
    expect(checkPackages([{ name: "a", members: [dir("./"), dir("./usr/"), dir("./usr/bin/"), file("./usr/bin/a")] }, { name: "b", members: [dir("./"), dir("./usr/bin/"), file("./usr/bin/b"), dir("./bin/")] }], MERGED)).toEqual([]);
  });

  it("names both packages when they ship one path, also through the merged-/usr links", () => {
    const problems = checkPackages([{ name: "a", members: [file("./bin/sh")] }, { name: "b", members: [file("./usr/bin/sh")] }, { name: "c", members: [dir("./etc/x/")] }, { name: "d", members: [file("./etc/x")] }], MERGED);
    expect(problems).toEqual(["packages a and b both ship /usr/bin/sh", "packages c and d both ship /etc/x"]);
  });

  it("refuses members that leave the root, also through another package's symlink, and a package replacing a merged-/usr link", () => {
    const problems = checkPackages([{ name: "a", members: [link("./usr/share/out", "/../../..")] }, { name: "b", members: [file("./usr/share/out/x"), file("../../etc/shadow")] }, { name: "c", members: [link("./lib64", "/opt")] }], MERGED);
    expect(problems).toContain('package b: member "../../etc/shadow" climbs out of the image root with ".."');
    expect(problems.some((p) => p.includes('"usr/share/out/x" lies under a symlink that leads outside the image root'))).toBe(true);
    expect(problems).toContain('package c: member "lib64" would replace the merged-/usr link /lib64');
  });

  it("refuses device nodes and fifos", () => {
    expect(checkPackages([{ name: "a", members: [{ name: "./dev/null", type: "3", linkname: "" }] }], MERGED)).toEqual(['package a: member "dev/null" is of a kind strata does not extract (tar type "3")']);
  });
});

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
