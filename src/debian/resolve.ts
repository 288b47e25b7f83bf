// Resolving a manifest against the archive with the host's apt, in a private APT directory: its own sources
// (the configured mirror only), lists, cache and an empty dpkg status, so the host's apt state is neither read nor
// changed. apt verifies the signed InRelease files with Debian's archive keyring and checks the indices' hashes;
// its solver picks one consistent set for all roots at once (`apt-get install --simulate` from an empty system).
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requestEnv } from "../request-context.js";
import { StrataError } from "../errors.js";
import { parseParagraphs, parseRelations, type Paragraph } from "./control.js";
import type { Lock, LockedPackage, Manifest } from "./lock.js";
import { closestNames } from "./names.js";
import { withLock } from "../storage/lock.js";

export const DEFAULT_KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg";

/** The private APT directory `strata deb-lock` uses by default for a manifest (its digest): a cache of the indices. */
export function defaultAptDir(digest: string): string {
  return join(tmpdir(), "strata-apt", digest.slice(0, 16));
}

export interface ResolveOptions {
  mirror: string;
  /** private APT directory (created; reused between runs as a cache of the lists) */
  aptDir: string;
  keyring?: string;
  label: string;
}

function aptConfig(dir: string, arch: string, archs: string[]): string {
  // Every directory apt would read or write points into `dir`; nothing of the host's /etc/apt applies.
  return [
    `Dir "${dir}/";`,
    `Dir::Etc "${dir}/etc/apt/";`,
    `Dir::Etc::Parts "${dir}/etc/apt/apt.conf.d/";`,
    `Dir::Etc::TrustedParts "${dir}/etc/apt/trusted.gpg.d/";`,
    `Dir::Etc::Preferences "${dir}/etc/apt/preferences";`,
    `Dir::Etc::PreferencesParts "${dir}/etc/apt/preferences.d/";`,
    `Dir::State "${dir}/var/lib/apt/";`,
    `Dir::State::status "${dir}/var/lib/dpkg/status";`,
    `Dir::Cache "${dir}/var/cache/apt/";`,
    `Dir::Log "${dir}/var/log/apt/";`,
    `APT::Architecture "${arch}";`,
    `APT::Architectures { ${archs.map((a) => `"${a}";`).join(" ")} };`,
    `APT::Install-Recommends "false";`,
    `APT::Install-Suggests "false";`,
    `Acquire::Languages "none";`,
    `Acquire::Retries "3";`,
    `Debug::NoLocking "true";`,
    `APT::Sandbox::User "root";`,
    "",
  ].join("\n");
}

function prepareAptDir(m: Manifest, o: ResolveOptions): Record<string, string> {
  const d = o.aptDir;
  for (const sub of ["etc/apt/apt.conf.d", "etc/apt/trusted.gpg.d", "etc/apt/preferences.d", "etc/apt/sources.list.d", "var/lib/apt/lists/partial", "var/cache/apt/archives/partial", "var/lib/dpkg", "var/log/apt"]) {
    mkdirSync(join(d, sub), { recursive: true });
  }
  writeFileSync(join(d, "var/lib/dpkg/status"), "");
  const keyring = o.keyring ?? DEFAULT_KEYRING;
  if (!existsSync(keyring)) throw new StrataError({ label: o.label, message: `the archive keyring ${keyring} is missing`, expected: "Debian's archive keyring (apt-get install debian-archive-keyring)", found: "no such file" });
  writeFileSync(
    join(d, "etc/apt/sources.list"),
    m.suites.map((s) => `deb [signed-by=${keyring} arch=${m.architectures.join(",")}] ${o.mirror} ${s} ${m.components.join(" ")}\n`).join(""),
  );
  writeFileSync(join(d, "apt.conf"), aptConfig(d, m.architectures[0]!, m.architectures));
  return { APT_CONFIG: join(d, "apt.conf"), LC_ALL: "C", PATH: requestEnv()["PATH"] ?? "/usr/bin:/bin" };
}

async function apt(env: Record<string, string>, args: string[]) {
  // loaded here, not at the top: every `strata compile` loads this module (apt_install's) and execa costs ~50 ms of start
  const { execa } = await import("execa");
  return execa("apt-get", args, { env, extendEnv: false, reject: false, all: true });
}

/** Package name → its paragraphs (one per version/architecture) from every downloaded Packages index. */
function readIndices(aptDir: string): { packages: Map<string, Paragraph[]>; releases: Lock["releases"] } {
  const lists = join(aptDir, "var/lib/apt/lists");
  const packages = new Map<string, Paragraph[]>();
  const releases: Lock["releases"] = [];
  for (const f of readdirSync(lists).sort()) {
    const path = join(lists, f);
    if (f.endsWith("_Packages")) {
      for (const p of parseParagraphs(readFileSync(path, "utf8"))) {
        const name = p.get("Package")!;
        const list = packages.get(name) ?? [];
        list.push(p);
        packages.set(name, list);
      }
    } else if (f.endsWith("_InRelease")) {
      const text = readFileSync(path);
      const fields = parseParagraphs(text.toString("utf8").replace(/^-----BEGIN PGP SIGNED MESSAGE-----\nHash: \S+\n\n/, ""))[0];
      // <mirror>_dists_<suite>_InRelease: the suite as the manifest names it (the file's own Suite may be "oldstable")
      const suite = /_dists_(.+)_InRelease$/.exec(f)?.[1]?.replace(/_/g, "/") ?? f;
      releases.push({ suite, codename: fields?.get("Codename") ?? "", date: fields?.get("Date") ?? "", sha256: createHash("sha256").update(text).digest("hex") });
    }
  }
  return { packages, releases };
}

/** The apt error lines (`E: ...`) and the unmet-dependency block, for messages. */
function aptProblems(output: string): string[] {
  return output
    .split("\n")
    .filter((l) => /^E: /.test(l) || /^ [a-z0-9][a-z0-9+.-]* : /.test(l) || /^\s+(Depends|PreDepends|Pre-Depends|Conflicts|Breaks):/.test(l))
    .map((l) => l.trim());
}

function problemPackages(lines: string[]): string[] {
  const names = new Set<string>();
  for (const l of lines) {
    const m = /Unable to locate package (\S+)/.exec(l) ?? /Package '([^']+)' has no installation candidate/.exec(l) ?? /^([a-z0-9][a-z0-9+.-]*) : /.exec(l);
    if (m) names.add(m[1]!);
  }
  return [...names];
}

/** apt-get update in the private directory: the archive's signed, verified indices for the manifest's suites. */
async function updateIndices(m: Manifest, o: ResolveOptions): Promise<Record<string, string>> {
  const env = prepareAptDir(m, o);
  const update = await apt(env, ["update", "-q"]);
  if (update.exitCode !== 0 || /^(E|W): /m.test(update.all ?? "")) {
    const lines = (update.all ?? "").split("\n").filter((l) => /^(E|W|Err):? /.test(l));
    throw new StrataError({ label: o.label, message: `apt could not fetch or verify the archive's indices from ${o.mirror}`, expected: "signed, verified InRelease and Packages files for " + m.suites.join(", "), found: lines.join(" | ") || `apt-get update exited ${update.exitCode}` });
  }
  return env;
}

/** One user of a private APT directory at a time (a build's error and `strata deb-lock` may share the default one). */
function exclusive<T>(o: ResolveOptions, fn: () => Promise<T>): Promise<T> {
  mkdirSync(o.aptDir, { recursive: true });
  return withLock(join(o.aptDir, "strata.lock"), fn);
}

/** Every package name in the archive's indices for the manifest (fetched, or refreshed, into the private directory). */
export function archiveNames(m: Manifest, o: ResolveOptions): Promise<Set<string>> {
  return exclusive(o, () => namesOf(m, o));
}

async function namesOf(m: Manifest, o: ResolveOptions): Promise<Set<string>> {
  await updateIndices(m, o);
  const lists = join(o.aptDir, "var/lib/apt/lists");
  const names = new Set<string>();
  for (const f of readdirSync(lists).sort()) {
    if (!f.endsWith("_Packages")) continue;
    for (const match of readFileSync(join(lists, f), "utf8").matchAll(/^Package: (\S+)$/gm)) names.add(match[1]!);
  }
  return names;
}

/** "did you mean ...?" for names that are in no index (a typo), or "" */
function typoHint(names: string[], packages: Map<string, Paragraph[]>): string {
  const hints = names.filter((n) => !packages.has(n)).map((n) => {
    const near = closestNames(n, packages.keys());
    return near.length > 0 ? `${n} is in no index of the archive: did you mean ${near.map((x) => `"${x}"`).join(" or ")}?` : `${n} is in no index of the archive`;
  });
  return hints.join("; ");
}

export function resolveManifest(m: Manifest, digest: string, o: ResolveOptions): Promise<Lock> {
  return exclusive(o, () => resolveLocked(m, digest, o));
}

async function resolveLocked(m: Manifest, digest: string, o: ResolveOptions): Promise<Lock> {
  const env = await updateIndices(m, o);
  const { packages, releases } = readIndices(o.aptDir);
  const essential = m.essential ? [...packages.entries()].filter(([, ps]) => ps.some((p) => p.get("Essential") === "yes")).map(([n]) => n).sort() : [];
  const roots = [...new Set(m.packages)].sort();
  const sim = await apt(env, ["install", "--simulate", "-q", "-y", "-o", "APT::Get::Show-Versions=true", ...new Set([...essential, ...roots])]);
  if (sim.exitCode !== 0) {
    const lines = aptProblems(sim.all ?? "");
    const names = problemPackages(lines);
    const typos = typoHint(names, packages);
    throw new StrataError({
      label: o.label,
      message: names.length > 0 ? `cannot resolve package${names.length > 1 ? "s" : ""} ${names.join(", ")}` : "apt could not resolve the manifest",
      expected: `one consistent set of installable packages for the roots against ${m.suites.join(", ")}`,
      found: lines.join(" | ") || `apt-get exited ${sim.exitCode}`,
      ...(typos !== "" ? { fix: `a typo in the manifest's packages? ${typos}` } : {}),
    });
  }
  // "Inst libc6 (2.36-9+deb12u10 Debian:12.11/stable [amd64])"
  const chosen = new Map<string, { version: string; arch: string }>();
  for (const line of (sim.stdout ?? "").split("\n")) {
    const mm = /^Inst (\S+) \((\S+) .*\[(\S+)\]\)/.exec(line);
    if (mm) chosen.set(mm[1]!.replace(/:\S+$/, ""), { version: mm[2]!, arch: mm[3]! });
  }
  const paragraphOf = (name: string): Paragraph => {
    const c = chosen.get(name)!;
    const p = (packages.get(name) ?? []).find((q) => q.get("Version") === c.version && q.get("Architecture") === c.arch);
    if (p === undefined) throw new StrataError({ label: o.label, message: `apt chose ${name} ${c.version} [${c.arch}], which no downloaded index lists` });
    return p;
  };
  const provides = new Map<string, string[]>();
  for (const name of chosen.keys()) {
    for (const g of parseRelations(paragraphOf(name).get("Provides"))) for (const r of g) provides.set(r.name, [...(provides.get(r.name) ?? []), name]);
  }
  // the alternative of each group the solution satisfies, as a locked package name
  const edge = (group: { name: string }[]): string | undefined => {
    for (const r of group) if (chosen.has(r.name)) return r.name;
    for (const r of group) {
      const by = provides.get(r.name);
      if (by !== undefined && by.length > 0) return [...by].sort()[0];
    }
    return undefined;
  };
  const locked: Record<string, LockedPackage> = {};
  for (const name of [...chosen.keys()].sort()) {
    const p = paragraphOf(name);
    const edges = (field: string) => [...new Set(parseRelations(p.get(field)).map(edge).filter((e): e is string => e !== undefined && e !== name))].sort();
    const prov = parseRelations(p.get("Provides")).flatMap((g) => g.map((r) => r.name));
    locked[name] = {
      version: p.get("Version")!,
      architecture: p.get("Architecture")!,
      filename: p.get("Filename")!,
      size: Number(p.get("Size")),
      sha256: p.get("SHA256")!,
      essential: p.get("Essential") === "yes",
      pre_depends: edges("Pre-Depends"),
      depends: edges("Depends"),
      ...(prov.length > 0 ? { provides: [...new Set(prov)].sort() } : {}),
    };
  }
  return {
    manifest_sha256: digest,
    archive: { suites: m.suites, components: m.components, architectures: m.architectures },
    releases: releases.sort((a, b) => a.suite.localeCompare(b.suite)),
    essential: m.essential,
    roots,
    packages: locked,
  };
}
