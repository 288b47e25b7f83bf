// src/archive: decompression chosen by magic bytes (not by name), ar members, the tar member walk and the
// escape check shared by the tarball feature and the .deb extraction; hostile .debs are refused.
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decompress, detectCompression, listTar, readAr } from "../../src/archive/index.js";
import { debDataTar } from "../../src/debian/extract.js";
import { StrataError } from "../../src/errors.js";
import { craftDeb, craftTar, type TarMember } from "../security/helpers.js";

const dir = mkdtempSync(join(tmpdir(), "strata-archive-"));

async function tarOf(name: string, members: TarMember[]): Promise<Buffer> {
  return readFileSync(await craftTar(join(dir, name), members));
}

function compress(tool: string, data: Buffer): Buffer {
  return execFileSync(tool, ["-c"], { input: data });
}

describe("decompression by magic bytes", () => {
  it.each([
    ["gzip", "gzip"],
    ["zstd", "zstd"],
    ["xz", "xz"],
    ["bzip2", "bzip2"],
  ] as const)("%s data is recognised and decompressed, whatever the file is called", async (tool, kind) => {
    const tar = await tarOf(`${tool}.tar`, [{ name: "a", content: "hello\n" }]);
    const packed = compress(tool, tar);
    expect(detectCompression(packed)).toBe(kind);
    const misnamed = join(dir, `${tool}-data.tar`); // a plain-tar name on compressed data
    writeFileSync(misnamed, packed);
    expect((await decompress(misnamed)).equals(tar)).toBe(true);
    expect((await decompress(packed)).equals(tar)).toBe(true);
  });

  it("plain data passes through; corrupt compressed data is an error naming the tool", async () => {
    const tar = await tarOf("plain.tar", [{ name: "a" }]);
    expect(detectCompression(tar)).toBe("none");
    expect((await decompress(tar)).equals(tar)).toBe(true);
    await expect(decompress(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3]))).rejects.toThrow(/zstd -dc failed/);
  });
});

describe("tar member walk and escape check", () => {
  it("lists members, taking absolute names relative to the root", async () => {
    const { members, problems } = await listTar(await tarOf("ok.tar", [{ name: "/etc/x", content: "x" }, { name: "./d", type: "directory" }, { name: "d/l", type: "symlink", linkname: "../etc/x" }]), "the root");
    expect(problems).toEqual([]);
    expect(members.map((m) => [m.rel, m.kind])).toEqual([["etc/x", "file"], ["d", "directory"], ["d/l", "symlink"]]);
  });

  it("reports every escape: `..` names, members under or over links leading out, hard links out", async () => {
    const { problems } = await listTar(
      await tarOf("bad.tar", [
        { name: "../x", content: "x" },
        { name: "up", type: "symlink", linkname: "../.." },
        { name: "up/y", content: "y" },
        { name: "abs", type: "symlink", linkname: "/etc" },
        { name: "abs/passwd", content: "" },
        { name: "h", type: "link", linkname: "../../etc/shadow" },
        { name: "abs", type: "directory", mode: 0o777 },
        { name: "h2", type: "link", linkname: "abs/shadow" },
      ]),
      "the root",
    );
    expect(problems).toEqual([
      'member "../x" climbs out of the root with ".."',
      'member "up/y" lies under a symlink that leads outside the root',
      'member "abs/passwd" lies under a symlink that leads outside the root',
      'hard link "h" -> "../../etc/shadow" leads outside the root',
      'directory member "abs" lies over a symlink that leads outside the root',
      'hard link "h2" -> "abs/shadow" leads outside the root',
    ]);
  });
});

describe(".deb extraction", () => {
  it("reads ar members and the data tarball in any compression, by magic bytes", async () => {
    const tar = await tarOf("deb-data.tar", [{ name: "./usr/bin/x", content: "#!/bin/sh\n" }]);
    for (const [name, data] of [["data.tar", tar], ["data.tar.xz", compress("xz", tar)], ["data.tar.zst", compress("zstd", tar)], ["data.tar.gz", compress("gzip", tar)]] as const) {
      const deb = craftDeb(data, name);
      expect(readAr(deb).map((m) => m.name)).toEqual(["debian-binary", "control.tar", name]);
      expect((await debDataTar(deb, "//deb:x")).equals(tar)).toBe(true);
    }
  });

  it("refuses a .deb without data.tar, and one that is not an ar archive, with kind schema", async () => {
    const e1 = await debDataTar(craftDeb(Buffer.alloc(0), "data.txt"), "//deb:x").catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(StrataError);
    expect((e1 as StrataError).details[0]).toMatchObject({ kind: "schema", message: "the .deb has no data.tar member" });
    expect(() => readAr(Buffer.from("not an archive"), "//deb:x")).toThrow(/not an ar archive/);
  });
});
