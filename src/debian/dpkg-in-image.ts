// The image's own dpkg, run in isolation (src/isolation: no network, the image as /, identity user mapping so chown
// and setcap are real on disk). Maintainer scripts see a clean environment (SOURCE_DATE_EPOCH, noninteractive
// debconf) and a policy-rc.d that refuses every service start. Logs and caches that differ between runs are removed
// afterwards. A failing dpkg throws, naming the packages it names, so the phase publishes nothing.
import { copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { StrataError } from "../errors.js";
import { runIsolated } from "../isolation/index.js";
import type { DebToInstall } from "./fetched.js";

export interface InstallContext {
  root: string;
  label: string;
  /** the feature, for messages */
  feature: string;
  epoch: number;
  /** host path of the flavor's build appliance tree: the bootstrap's extraction runs its tools, not the host's */
  appliance?: string;
}

const DEBS_IN_IMAGE = "/var/cache/strata-debs";
// dpkg fsyncs every file it writes by default. A layer under construction is thrown away on any failure and sealed
// whole afterwards (no other feature fsyncs its files either), so the syncs buy nothing here.
export const DPKG = ["dpkg", "--force-unsafe-io"];
const POLICY_RC_D = "usr/sbin/policy-rc.d";

// Written by dpkg, debconf, ldconfig and friends with run-specific content (times, backups of the previous state).
const VOLATILE = [
  "var/log/dpkg.log",
  "var/log/alternatives.log",
  "var/log/bootstrap.log",
  "var/cache/debconf/config.dat-old",
  "var/cache/debconf/templates.dat-old",
  "var/cache/debconf/passwords.dat-old",
  "var/lib/dpkg/status-old",
  "var/lib/dpkg/diversions-old",
  "var/lib/dpkg/statoverride-old",
  "var/lib/dpkg/available-old",
  "var/cache/ldconfig/aux-cache",
  "etc/passwd-",
  "etc/group-",
  "etc/shadow-",
  "etc/gshadow-",
  "etc/subuid-",
  "etc/subgid-",
];

/** The .debs, linked (or copied) into one host directory that is mounted read-only into the image. */
export function stageDebs(debs: DebToInstall[]): { dir: string; file: (d: DebToInstall) => string; host: (d: DebToInstall) => string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "strata-debs-"));
  const names = new Map<string, string>();
  for (const d of debs) {
    const name = `${d.name}_${d.version.replace(/:/g, "%3a")}_${d.architecture}.deb`;
    try {
      linkSync(d.deb, join(dir, name));
    } catch {
      copyFileSync(d.deb, join(dir, name));
    }
    names.set(d.name, name);
  }
  return { dir, file: (d) => `${DEBS_IN_IMAGE}/${names.get(d.name)}`, host: (d) => join(dir, names.get(d.name)!), done: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function dpkgInImage(ctx: InstallContext, argv: string[], stagedDir: string | undefined, what: string): Promise<string> {
  const r = await runIsolated({
    root: ctx.root,
    writable: true,
    user: "0",
    argv,
    epoch: ctx.epoch,
    env: { DEBIAN_FRONTEND: "noninteractive", DEBCONF_NONINTERACTIVE_SEEN: "true", LC_ALL: "C.UTF-8", LANGUAGE: "C.UTF-8" },
    roBinds: stagedDir !== undefined ? [{ host: stagedDir, image: DEBS_IN_IMAGE }] : [],
    stdio: "pipe",
    label: ctx.label,
  });
  const output = `${r.stdout}${r.stderr}`;
  if (r.exitCode !== 0) {
    const lines = output.trimEnd().split("\n");
    const failing = [...new Set([...output.matchAll(/(?:installed|new) (\S+) package (?:post-installation|pre-installation|pre-removal|post-removal) script subprocess returned error exit status \d+|error processing (?:package|archive) (\S+)/g)].map((m) => (m[1] ?? m[2])!.replace(/^.*\//, "").replace(/_.*$/, "").replace(/:\w+$/, "")))];
    // dpkg's own reasons when two packages cannot both be installed: name both
    const clash = [
      ...[...output.matchAll(/dpkg: regarding \S+ containing \S+:\n (\S+) conflicts with (\S+)/g)].map((m) => `package ${m[1]!.replace(/:\w+$/, "")} conflicts with package ${m[2]!.replace(/:\w+$/, "")}`),
      ...[...output.matchAll(/trying to overwrite '([^']+)', which is also in package (\S+)/g)].map((m) => `${m[1]} is also in package ${m[2]}`),
    ];
    throw new StrataError({
      kind: clash.length > 0 ? "conflict" : undefined,
      label: ctx.label,
      feature: ctx.feature,
      message: `${what} failed${failing.length > 0 ? ` for package${failing.length > 1 ? "s" : ""} ${failing.join(", ")}` : ""}${clash.length > 0 ? ` (${[...new Set(clash)].join("; ")})` : ""}`,
      expected: "dpkg to exit 0",
      found: `exit code ${r.exitCode}`,
      notes: ["dpkg output (last lines):", ...lines.slice(-40).map((l) => `| ${l}`)],
    });
  }
  return output;
}

export function writePolicyRcD(root: string): void {
  mkdirSync(join(root, "usr/sbin"), { recursive: true });
  writeFileSync(join(root, POLICY_RC_D), "#!/bin/sh\n# strata: no service starts while an image is built\nexit 101\n", { mode: 0o755 });
}

export function removeVolatile(root: string): void {
  for (const p of VOLATILE) rmSync(join(root, p), { force: true });
  rmSync(join(root, POLICY_RC_D), { force: true });
  for (const dir of ["var/log/apt", "var/cache/apt/archives/partial"]) {
    const d = join(root, dir);
    if (existsSync(d)) for (const e of readdirSync(d)) rmSync(join(d, e), { recursive: true, force: true });
  }
}
