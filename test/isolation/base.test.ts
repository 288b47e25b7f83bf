// The pinned base: the applet list and the pin in base/ agree with the .deb, and the .deb unpacks.
import { expect, it, describe } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StrataError } from "../../src/errors.js";
import { readAr } from "../../src/archive/index.js";
import { debDataTar } from "../../src/debian/extract.js";
import { BUSYBOX_STATIC } from "../../src/debian/pins.js";
import { repoRoot } from "../runner/helpers.js";
import { busyboxDeb } from "./busybox-root.js";

describe("base image pins", () => {
  it("base/BUCK fetches exactly the pinned package", () => {
    const buck = readFileSync(join(repoRoot, "base/BUCK"), "utf8");
    expect(buck).toContain(`filename = "${BUSYBOX_STATIC.filename}"`);
    expect(buck).toContain(`sha256 = "${BUSYBOX_STATIC.sha256}"`);
    expect(buck).toContain(`version = "${BUSYBOX_STATIC.version}"`);
  });

  it("the applet list is the pinned busybox's own, without itself", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bb-"));
    execFileSync("tar", ["-x", "-C", dir, "-f", "-", "./bin/busybox"], { input: await debDataTar(await busyboxDeb()) });
    const fromBinary = execFileSync(join(dir, "bin/busybox"), ["--list-full"], { encoding: "utf8" })
      .split("\n")
      .filter((l) => l.includes("/") && l !== "bin/busybox")
      .map((l) => `/${l}`)
      .sort();
    const bzl = readFileSync(join(repoRoot, "base/busybox_applets.bzl"), "utf8");
    const listed = [...bzl.matchAll(/^ {4}"([^"]+)",$/gm)].map((m) => m[1]!);
    expect(listed).toEqual(fromBinary);
    expect(listed).toContain("/bin/sh");
  });

  it("a .deb is an ar archive with a data tarball; anything else is refused", async () => {
    const members = readAr(await busyboxDeb()).map((m) => m.name);
    expect(members).toEqual(["debian-binary", "control.tar.xz", "data.tar.xz"]);
    const listing = execFileSync("tar", ["-t", "-f", "-"], { input: await debDataTar(await busyboxDeb()), encoding: "utf8" });
    expect(listing.split("\n")).toContain("./bin/busybox");
    expect(() => readAr(Buffer.from("not an archive at all"), "//base:busybox-static")).toThrow(StrataError);
  });
});
