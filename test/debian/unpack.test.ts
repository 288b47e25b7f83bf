// The bootstrap's extraction check across packages (src/debian/unpack.ts).
import { describe, expect, it } from "vitest";
import { checkPackages } from "../../src/debian/unpack.js";

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
