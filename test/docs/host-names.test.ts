// No archive or registry host names in the repository (DEVELOPERS' rule): the Debian archive comes from
// `[strata] debian_mirror` on each machine, images go wherever their user pushes them. Hosts are listed split so
// that this file does not name them itself.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { repoRoot } from "../rules/project.js";

const HOSTS = [
  ["deb", "debian", "org"],
  ["security", "debian", "org"],
  ["snapshot", "debian", "org"],
  ["ftp", "debian", "org"],
  ["archive", "ubuntu", "com"],
  ["docker", "io"],
  ["registry-1", "docker", "io"],
  ["quay", "io"],
  ["ghcr", "io"],
  ["gcr", "io"],
  ["registry", "npmjs", "org"],
  ["pypi", "org"],
  ["files", "pythonhosted", "org"],
  ["crates", "io"],
  ["proxy", "golang", "org"],
].map((parts) => parts.join("."));

// npm writes each package's download address into its lock; that file is npm's, not ours
const EXEMPT = new Set(["package-lock.json"]);

it("no tracked file names a package archive or registry host", () => {
  const files = execFileSync("git", ["ls-files", "-z"], { cwd: repoRoot, encoding: "utf8" }).split("\0").filter((f) => f !== "" && !EXEMPT.has(f));
  const found: string[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(join(repoRoot, f), "latin1");
    } catch {
      continue; // a deleted file still in the index, or a submodule
    }
    const lower = text.toLowerCase();
    for (const h of HOSTS) if (lower.includes(h)) found.push(`${f}: ${h}`);
  }
  expect(found).toEqual([]);
});
