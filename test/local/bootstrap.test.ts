// scripts/bootstrap.sh (issue 9 item 7): refuses an old Node with how to get a new one, and compiles nothing when
// nothing changed (the main job's no-op run must not pay for tsc).
import { execa } from "execa";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

function fakeBin(scripts: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "strata-fakebin-"));
  for (const [name, body] of Object.entries(scripts)) {
    writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(dir, name), 0o755);
  }
  return dir;
}

describe("scripts/bootstrap.sh", () => {
  it("refuses Node 18 (Debian 12's) and says how to get Node >= 20", async () => {
    const bin = fakeBin({ node: 'case "$1" in -p) echo 18;; --version) echo v18.19.0;; esac' });
    const r = await execa("bash", [join(repo, "scripts/bootstrap.sh")], { reject: false, env: { PATH: `${bin}:${process.env["PATH"]}` } });
    expect(r.exitCode).toBe(1);
    expect(r.stderr.split("\n")[0]).toBe("error: strata needs Node.js 20 or newer; this `node` is v18.19.0");
    expect(r.stderr).toContain("nvm install 22");
  });

  it("a second run with no source change runs neither npm ci nor tsc", async () => {
    await execa("bash", [join(repo, "scripts/bootstrap.sh")]);
    const log = join(mkdtempSync(join(tmpdir(), "strata-npmlog-")), "calls");
    writeFileSync(log, "");
    const bin = fakeBin({ npm: `echo "npm $*" >> ${log}`, tsc: `echo "tsc $*" >> ${log}` });
    const r = await execa("bash", [join(repo, "scripts/bootstrap.sh")], { reject: false, env: { PATH: `${bin}:${process.env["PATH"]}` } });
    expect(r.exitCode).toBe(0);
    expect(readFileSync(log, "utf8")).toBe("");
  });

  it("waits for the apt lock instead of failing on it", () => {
    const text = readFileSync(join(repo, "scripts/bootstrap.sh"), "utf8");
    expect(text).toMatch(/DPkg::Lock::Timeout=\d+/);
    // and CI installs nothing the README's path does not
    expect(readFileSync(join(repo, ".ci/run"), "utf8")).not.toMatch(/apt-get install/);
  });
});
