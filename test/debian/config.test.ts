// [strata] debian_mirror: read from .buckconfig / .buckconfig.local by the runner and the local driver alike, found
// in the host's apt sources by scripts/debian-mirror.sh, and a clear error naming the key when it is missing.
import { execa } from "execa";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readProjectConfig } from "../../src/buckconfig.js";
import { debianMirror } from "../../src/debian/mirror.js";
import { BUSYBOX_STATIC } from "../../src/debian/pins.js";
import { repoRoot } from "../runner/helpers.js";

function scratch(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "debcfg-"));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(dir, rel, ".."), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

describe("debian mirror configuration", () => {
  it(".buckconfig.local overrides .buckconfig, and the URL loses its trailing slash", () => {
    const dir = scratch({ ".buckconfig": "[strata]\n  debian_mirror = http://a.example/debian\n", ".buckconfig.local": "# local\n[strata]\n  debian_mirror = http://b.example/debian/\n" });
    expect(readProjectConfig(dir, "strata", "debian_mirror")).toBe("http://b.example/debian/");
    expect(debianMirror(dir)).toBe("http://b.example/debian");
  });

  it("a missing mirror is one error naming the key", () => {
    const dir = scratch({ ".buckconfig": "[cells]\n  root = .\n" });
    const saved = process.env.STRATA_DEBIAN_MIRROR;
    delete process.env.STRATA_DEBIAN_MIRROR;
    try {
      expect(() => debianMirror(dir, "//x:y")).toThrow(/\[strata\] debian_mirror` is not set/);
    } finally {
      if (saved !== undefined) process.env.STRATA_DEBIAN_MIRROR = saved;
    }
  });

  it("pins name a pool filename, and their URL comes from the configured mirror", () => {
    expect(BUSYBOX_STATIC.filename.startsWith("pool/main/")).toBe(true);
    expect(BUSYBOX_STATIC.url).toBe(`${debianMirror(repoRoot)}/${BUSYBOX_STATIC.filename}`);
  });

  it("debian-mirror.sh reads deb822 sources (skipping -security and disabled entries)", async () => {
    const etc = scratch({
      "sources.list.d/debian.sources":
        "Types: deb\nURIs: http://sec.example/debian-security\nSuites: bookworm-security\nComponents: main\n\n" +
        "Types: deb\nURIs: http://off.example/debian\nSuites: bookworm\nComponents: main\nEnabled: no\n\n" +
        "# comment\nTypes: deb deb-src\nURIs: http://main.example/debian/\nSuites: bookworm bookworm-updates\nComponents: main\n",
    });
    const r = await execa("bash", [join(repoRoot, "scripts/debian-mirror.sh")], { env: { STRATA_APT_ETC: etc, STRATA_DEBIAN_MIRROR: "" } });
    expect(r.stdout).toBe("http://main.example/debian");
  });

  it("debian-mirror.sh reads one-line sources.list entries with options", async () => {
    const etc = scratch({ "sources.list": "# x\ndeb http://sec.example/x bookworm-security main\ndeb [arch=amd64 signed-by=/k.gpg] http://one.example/debian bookworm main\n" });
    const r = await execa("bash", [join(repoRoot, "scripts/debian-mirror.sh")], { env: { STRATA_APT_ETC: etc, STRATA_DEBIAN_MIRROR: "" } });
    expect(r.stdout).toBe("http://one.example/debian");
  });

  it("debian-mirror.sh fails with an error line when the host has no Debian source", async () => {
    const etc = scratch({ "sources.list": "# nothing\n" });
    const r = await execa("bash", [join(repoRoot, "scripts/debian-mirror.sh")], { env: { STRATA_APT_ETC: etc, STRATA_DEBIAN_MIRROR: "" }, reject: false });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^(\S+:\d+:\d+: )?error: no Debian archive found/);
  });
});
