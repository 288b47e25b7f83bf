// Installing Debian packages into an image the way Debian does, with the image's own dpkg run in isolation
// (src/isolation: no network, the image as /, identity user mapping so chown and setcap are real on disk).
//
// Bootstrap (a layer without parent), as mmdebstrap does: merged-/usr links, the essential packages' files
// extracted from their data.tar, an empty dpkg database, then `dpkg --install --force-depends` of that set inside
// the image, which runs every maintainer script properly. Further packages: `dpkg --install` in batches ordered by
// Pre-Depends (a package is unpacked only after what it pre-depends on is configured).
// Maintainer scripts see a clean environment (SOURCE_DATE_EPOCH, noninteractive debconf) and a policy-rc.d that
// refuses every service start. Afterwards `dpkg --audit` must be clean and every package at its locked version;
// anything else throws, so the phase publishes nothing. Logs and caches that differ between runs are removed.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, existsSync, linkSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync, readFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { StrataError, type ErrorDetail } from "../errors.js";
import { unpackDebs, type ScriptRunner } from "../archive/index.js";
import { runInAppliance } from "../isolation/appliance.js";
import { runIsolated } from "../isolation/index.js";
import { requestEnv } from "../request-context.js";
import { parseParagraphs } from "./control.js";
import { aptTracer } from "./trace.js";
import type { Needed } from "./needed.js";
import { readUsersAndGroups } from "../facts/passwd.js";
import { lstatOrNull, resolveInImage } from "../image/resolve.js";
import { ImagePathError } from "../image/path.js";

export interface DebToInstall {
  name: string;
  version: string;
  architecture: string;
  sha256: string;
  essential: boolean;
  pre_depends: string[];
  depends: string[];
  /** host path of the .deb */
  deb: string;
}

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
const DPKG = ["dpkg", "--force-unsafe-io"];
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

async function sha256File(path: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest("hex");
}

/** Every .deb has the digest of the lock; all mismatches in one error. */
export async function verifyDebs(debs: DebToInstall[], ctx: InstallContext): Promise<void> {
  const errors: ErrorDetail[] = [];
  for (const d of debs) {
    if (!existsSync(d.deb)) {
      errors.push({ label: ctx.label, feature: ctx.feature, message: `package ${d.name} ${d.version}: the .deb is missing`, expected: d.deb, found: "no such file" });
      continue;
    }
    const got = await sha256File(d.deb);
    if (got !== d.sha256) errors.push({ label: ctx.label, feature: ctx.feature, message: `package ${d.name} ${d.version}: the .deb has the wrong sha256`, expected: d.sha256, found: got });
  }
  if (errors.length > 0) throw new StrataError(errors);
}

/** Batches for `dpkg --install`: each package after everything it pre-depends on (among `debs`). */
export function preDependsBatches(debs: DebToInstall[]): DebToInstall[][] {
  const byName = new Map(debs.map((d) => [d.name, d]));
  const level = new Map<string, number>();
  const visiting = new Set<string>();
  const levelOf = (d: DebToInstall): number => {
    const known = level.get(d.name);
    if (known !== undefined) return known;
    if (visiting.has(d.name)) return 0; // a Pre-Depends cycle: dpkg cannot order it either; keep one batch
    visiting.add(d.name);
    let l = 0;
    for (const p of d.pre_depends) {
      const dep = byName.get(p);
      if (dep !== undefined) l = Math.max(l, levelOf(dep) + 1);
    }
    visiting.delete(d.name);
    level.set(d.name, l);
    return l;
  };
  const batches: DebToInstall[][] = [];
  for (const d of [...debs].sort((a, b) => a.name.localeCompare(b.name))) {
    const l = levelOf(d);
    (batches[l] ??= []).push(d);
  }
  return batches.filter((b) => b !== undefined && b.length > 0);
}

/** The debs `names` need, within `debs`, through Depends and Pre-Depends. */
function closureWithin(debs: DebToInstall[], names: string[]): DebToInstall[] {
  const byName = new Map(debs.map((d) => [d.name, d]));
  const seen = new Set<string>();
  const todo = [...names];
  while (todo.length > 0) {
    const n = todo.pop()!;
    if (seen.has(n) || !byName.has(n)) continue;
    seen.add(n);
    const d = byName.get(n)!;
    todo.push(...d.pre_depends, ...d.depends);
  }
  return debs.filter((d) => seen.has(d.name));
}

/** The .debs, linked (or copied) into one host directory that is mounted read-only into the image. */
function stageDebs(debs: DebToInstall[]): { dir: string; file: (d: DebToInstall) => string; host: (d: DebToInstall) => string; done: () => void } {
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

async function dpkgInImage(ctx: InstallContext, argv: string[], stagedDir: string | undefined, what: string): Promise<string> {
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

function writePolicyRcD(root: string): void {
  mkdirSync(join(root, "usr/sbin"), { recursive: true });
  writeFileSync(join(root, POLICY_RC_D), "#!/bin/sh\n# strata: no service starts while an image is built\nexit 101\n", { mode: 0o755 });
}

function removeVolatile(root: string): void {
  for (const p of VOLATILE) rmSync(join(root, p), { force: true });
  rmSync(join(root, POLICY_RC_D), { force: true });
  for (const dir of ["var/log/apt", "var/cache/apt/archives/partial"]) {
    const d = join(root, dir);
    if (existsSync(d)) for (const e of readdirSync(d)) rmSync(join(d, e), { recursive: true, force: true });
  }
}

/** merged-/usr: /bin, /sbin, /lib (and /lib64 on 64-bit x86) are links into /usr, as Debian 12 installs them. */
function mergedUsr(root: string, arch: string): string[] {
  const links = ["bin", "sbin", "lib", ...(arch === "amd64" ? ["lib64"] : [])];
  for (const l of links) {
    mkdirSync(join(root, "usr", l), { recursive: true, mode: 0o755 });
    if (!existsSync(join(root, l))) symlinkSync(`usr/${l}`, join(root, l));
  }
  return links;
}

/**
 * Where the bootstrap's extraction tools (dpkg-deb, tar, the decompressors) come from: the flavor's build appliance,
 * or, for a flavor without one (the appliance's own flavor), the host's.
 */
function toolRunner(ctx: InstallContext): ScriptRunner {
  if (ctx.appliance !== undefined) {
    const appliance = ctx.appliance;
    return (argv, input, paths) => runInAppliance({ appliance, argv, ro: paths.ro, rw: paths.rw, label: ctx.label }, input);
  }
  return (argv, input) =>
    new Promise((resolve, reject) => {
      const child = spawn(argv[0]!, argv.slice(1), { env: { PATH: requestEnv()["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin", LC_ALL: "C", TZ: "UTC" }, stdio: ["pipe", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      child.stdin.on("error", () => {});
      child.stdin.end(input);
      child.on("error", reject);
      child.on("close", (code) => resolve({ exitCode: code ?? 128, stdout, stderr }));
    });
}

/** Installed packages: name → {version, status abbreviation}. */
export function installedPackages(root: string): Map<string, { version: string; status: string }> {
  const path = join(root, "var/lib/dpkg/status");
  const out = new Map<string, { version: string; status: string }>();
  if (!existsSync(path)) return out;
  for (const p of parseParagraphs(readFileSync(path, "utf8"))) {
    out.set(p.get("Package")!, { version: p.get("Version") ?? "", status: p.get("Status") ?? "" });
  }
  return out;
}

async function checkResult(ctx: InstallContext, want: DebToInstall[], gone: string[]): Promise<void> {
  const audit = await dpkgInImage(ctx, ["dpkg", "--audit"], undefined, "dpkg --audit");
  const errors: ErrorDetail[] = [];
  if (audit.trim() !== "") errors.push({ label: ctx.label, feature: ctx.feature, message: "dpkg --audit reports problems", expected: "no output", found: audit.trim().split("\n").slice(0, 10).join(" | ") });
  const installed = installedPackages(ctx.root);
  for (const d of want) {
    const got = installed.get(d.name);
    if (got === undefined || got.status !== "install ok installed" || got.version !== d.version) {
      errors.push({ label: ctx.label, feature: ctx.feature, message: `package ${d.name} is not installed at its locked version`, expected: `${d.version} (install ok installed)`, found: got === undefined ? "not installed" : `${got.version} (${got.status})` });
    }
  }
  for (const n of gone) {
    const got = installed.get(n);
    if (got !== undefined && got.status !== "purge ok not-installed") errors.push({ label: ctx.label, feature: ctx.feature, message: `package ${n} is still installed`, expected: "removed", found: got.status });
  }
  if (errors.length > 0) throw new StrataError(errors);
}

/** An image from nothing: the essential set (mmdebstrap's way), then the other packages in Pre-Depends batches. */
export async function bootstrapImage(debs: DebToInstall[], ctx: InstallContext): Promise<void> {
  const trace = aptTracer();
  await verifyDebs(debs, ctx);
  trace("verify sha256");
  const arch = debs.find((d) => d.architecture !== "all")?.architecture ?? "amd64";
  const essential = closureWithin(debs, debs.filter((d) => d.essential).map((d) => d.name));
  const rest = debs.filter((d) => !essential.includes(d));
  const merged = mergedUsr(ctx.root, arch);
  const staged = stageDebs(debs);
  try {
    await unpackDebs(
      essential.map((d) => ({ name: d.name, version: d.version, deb: staged.host(d) })),
      { root: ctx.root, scratch: join(dirname(ctx.root), `.${basename(ctx.root)}.unpack-${process.pid}`), mergedLinks: merged, jobs: availableParallelism(), label: ctx.label, feature: ctx.feature, run: toolRunner(ctx), trace },
    );
  } catch (e) {
    staged.done();
    throw e;
  }
  const dpkgDir = join(ctx.root, "var/lib/dpkg");
  for (const sub of ["info", "updates", "triggers", "alternatives", "parts"]) mkdirSync(join(dpkgDir, sub), { recursive: true });
  writeFileSync(join(dpkgDir, "status"), "");
  writeFileSync(join(dpkgDir, "available"), "");
  writeFileSync(join(dpkgDir, "arch"), `${arch}\n`);
  writeFileSync(join(dpkgDir, "cmethopt"), "apt apt\n");
  writePolicyRcD(ctx.root);
  try {
    await dpkgInImage(ctx, [...DPKG, "--install", "--force-depends", ...essential.map(staged.file)], staged.dir, "installing the essential packages (dpkg --install --force-depends)");
    trace("dpkg --install essential");
    for (const batch of preDependsBatches(rest)) await dpkgInImage(ctx, [...DPKG, "--install", ...batch.map(staged.file)], staged.dir, "dpkg --install");
    trace("dpkg --install rest");
  } finally {
    staged.done();
  }
  writePolicyRcD(ctx.root);
  await checkResult(ctx, debs, []);
  trace("audit");
  removeVolatile(ctx.root);
}

/** Packages into an image that has dpkg: `dpkg --install` in Pre-Depends batches. */
export async function installIntoImage(debs: DebToInstall[], ctx: InstallContext): Promise<void> {
  const trace = aptTracer();
  await verifyDebs(debs, ctx);
  trace("verify sha256");
  if (!existsSync(join(ctx.root, "var/lib/dpkg/status"))) {
    throw new StrataError({ label: ctx.label, feature: ctx.feature, message: "the parent layer has no dpkg database", expected: "a parent built with feature.apt_install (or no parent, to bootstrap)", found: "no /var/lib/dpkg/status" });
  }
  writePolicyRcD(ctx.root);
  const staged = stageDebs(debs);
  try {
    for (const batch of preDependsBatches(debs)) {
      await dpkgInImage(ctx, [...DPKG, "--install", ...batch.map(staged.file)], staged.dir, "dpkg --install");
      trace(`dpkg --install (${batch.map((d) => d.name).join(" ")})`);
    }
  } finally {
    staged.done();
  }
  await checkResult(ctx, debs, []);
  trace("audit");
  removeVolatile(ctx.root);
}

/** `dpkg --purge` of installed packages; what `needed` names (the parent layers' feature.requires) must still be there after. */
export async function removeFromImage(names: string[], ctx: InstallContext, mustExist: boolean, needed: Needed = []): Promise<void> {
  const installed = installedPackages(ctx.root);
  const present = names.filter((n) => installed.get(n)?.status === "install ok installed");
  const absent = names.filter((n) => !present.includes(n));
  if (mustExist && absent.length > 0) {
    throw new StrataError({ label: ctx.label, feature: ctx.feature, message: `package${absent.length > 1 ? "s" : ""} ${absent.join(", ")} ${absent.length > 1 ? "are" : "is"} not installed`, expected: "installed packages (apt_remove_if_exists skips missing ones)", found: "not installed" });
  }
  if (present.length === 0) return;
  const owned = new Map<string, string>();
  for (const n of present) for (const p of packagePaths(ctx.root, n)) owned.set(p, n);
  writePolicyRcD(ctx.root);
  await dpkgInImage(ctx, [...DPKG, "--purge", ...present], undefined, "dpkg --purge");
  await checkResult(ctx, [], present);
  checkNeeded(ctx, needed, owned, present);
  removeVolatile(ctx.root);
}

function pathInImage(root: string, path: string): boolean {
  try {
    return lstatOrNull(resolveInImage(root, path, false).hostPath) !== null;
  } catch (e) {
    if (e instanceof ImagePathError) return false;
    throw e;
  }
}

/** every requirement of the parent layers still holds after the purge, or one error listing what the removal broke */
function checkNeeded(ctx: InstallContext, needed: Needed, owned: Map<string, string>, removed: string[]): void {
  if (needed.length === 0) return;
  const now = readUsersAndGroups(ctx.root);
  const users = new Set(now.users.map((u) => u.name));
  const groups = new Set(now.groups.map((g) => g.name));
  const broken: string[] = [];
  for (const n of needed) {
    const there = n.kind === "user" ? users.has(n.name) : n.kind === "group" ? groups.has(n.name) : pathInImage(ctx.root, n.name);
    if (there) continue;
    const by = n.kind === "path" && owned.has(n.name) ? `package ${owned.get(n.name)}` : `removing ${removed.join(", ")}`;
    broken.push(`${n.kind} ${n.name} (needed by ${n.by}: requires), gone with ${by}`);
  }
  if (broken.length === 0) return;
  throw new StrataError({
    kind: "unsatisfied",
    label: ctx.label,
    feature: ctx.feature,
    message: `removing ${removed.join(", ")} takes away what a parent layer's features need`,
    expected: "every path, user and group the parent layers' feature.requires name, still there after the removal",
    found: broken.join("; "),
    notes: ["keep the package, or drop the requirement from the parent layer"],
  });
}


/** The paths dpkg lists for `name` (its .list file), as image paths with the merged-/usr links resolved. */
export function packagePaths(root: string, name: string, arch?: string): string[] {
  const info = join(root, "var/lib/dpkg/info");
  const named =
    arch !== undefined ? [join(info, `${name}:${arch}.list`)] : existsSync(info) ? readdirSync(info).filter((f) => f.startsWith(`${name}:`) && f.endsWith(".list")).map((f) => join(info, f)) : [];
  const file = [join(info, `${name}.list`), ...named].find((f) => existsSync(f));
  if (file === undefined) return [];
  const merged = ["bin", "sbin", "lib", "lib32", "lib64", "libx32"].filter((l) => {
    try {
      return readlinkSync(join(root, l)) === `usr/${l}`;
    } catch {
      return false;
    }
  });
  const out: string[] = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (line === "" || line === "/." || line === "/") continue;
    const top = line.split("/")[1]!;
    out.push(merged.includes(top) ? `/usr${line}` : line);
  }
  return out;
}
