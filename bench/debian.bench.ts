// Debian benchmarks, each a median over RUNS with its baseline measured in the same run, on a scratch btrfs volume:
// - debian_bootstrap_vs_mmdebstrap: `strata compile` of a layer bootstrapped by apt_install (the essential set from
//   already-downloaded .debs, extracted with the tools of a build appliance layer built first, untimed, as the
//   flavor //debian:bookworm does) vs `mmdebstrap --variant=essential` of the same packages from the same local
//   files (a repository of those .debs). Target ratio <= 1.0.
// - debian_child_vs_dpkg: a child's apt_install of the seven example packages (and their new dependencies) vs plain
//   `dpkg --install` of the same files in a chroot of a writable snapshot of the parent (the snapshot is not timed).
//   Target ratio <= 1.3.
// - debian_child_rootless_vs_root: the same child compiled rootless (as an ordinary user, STRATA_BENCH_USER, default
//   strata-rl, created with a subordinate range when missing, on a directory of the scratch btrfs it owns: unprivileged
//   snapshots, dpkg inside the user namespace) vs root's runs above. Target ratio <= 1.2.
// strata runs dpkg with --force-unsafe-io (no fsync per file; a failed layer is thrown away whole). The ratios use
// the tools' defaults, as the issue names them; params.same_options_* give the baselines with the same option
// (mmdebstrap --dpkgopt=force-unsafe-io, dpkg --force-unsafe-io), measured in the same runs, for comparison.
// Needs root, mmdebstrap and dpkg-scanpackages (dpkg-dev), and [strata] debian_mirror (the .debs are fetched once,
// by sha256, into the driver's download cache).
import { createHash } from "node:crypto";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { basename, join } from "node:path";
import { debianMirror, poolUrl } from "../src/debian/mirror.js";
import type { Lock } from "../src/debian/lock.js";
import { median, printResult, quick, repoRoot, runs, scratchBtrfs, settle, sh, strataBin, timeCommand, timeStrata, writeJson } from "./lib.js";
import { asUser, ensureUser, ROOTLESS_USER } from "./rootless-user.js";

const RUNS = runs(3);

// $1: a directory with pool/*.deb; writes dists/bookworm/{Release,main/binary-amd64/Packages}
const REPO_SCRIPT = `set -e
cd "$1"
mkdir -p dists/bookworm/main/binary-amd64
dpkg-scanpackages --multiversion pool > dists/bookworm/main/binary-amd64/Packages 2>/dev/null
cd dists/bookworm
f=main/binary-amd64/Packages
{ printf 'Suite: bookworm\\nCodename: bookworm\\nArchitectures: amd64\\nComponents: main\\nSHA256:\\n'
  printf ' %s %s %s\\n' "$(sha256sum $f | cut -d' ' -f1)" "$(stat -c %s $f)" "$f"; } > Release
`;
const CHILD_PACKAGES = ["hello", "jq", "less", "mawk", "iputils-ping", "uuid-runtime", "netbase"];
// as debian/BUCK's :build-appliance
const APPLIANCE_PACKAGES = ["dpkg", "tar", "zstd", "xz-utils", "squashfs-tools", "e2fsprogs", "erofs-utils", "pigz", "cpio"];

async function fetchDeb(name: string, p: Lock["packages"][string], mirror: string, dir: string): Promise<string> {
  const cache = join(process.env.STRATA_DOWNLOAD_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), ".cache"), "strata", "downloads"), p.sha256);
  const file = join(dir, "pool", `${name}_${p.version.replace(/:/g, "%3a")}_${p.architecture}.deb`);
  if (!existsSync(cache)) {
    const res = await fetch(poolUrl(p.filename, mirror));
    if (!res.ok) throw new Error(`download of ${p.filename} failed: HTTP ${res.status}`);
    const body = Buffer.from(await res.arrayBuffer());
    if (createHash("sha256").update(body).digest("hex") !== p.sha256) throw new Error(`${p.filename}: sha256 mismatch`);
    mkdirSync(join(cache, ".."), { recursive: true });
    writeFileSync(cache, body);
  }
  mkdirSync(join(dir, "pool"), { recursive: true });
  copyFileSync(cache, file);
  return file;
}

/** the baseline run with strata's dpkg option, and strata's ratio to it (not measured in quick mode: null) */
function sameOptions(ours: number[], baseline: number[]): { same_options_baseline_seconds: number | null; same_options_ratio: number | null } {
  if (baseline.length === 0) return { same_options_baseline_seconds: null, same_options_ratio: null };
  return { same_options_baseline_seconds: Math.round(median(baseline) * 1e4) / 1e4, same_options_ratio: Math.round((median(ours) / median(baseline)) * 1e3) / 1e3 };
}

function closure(lock: Lock, roots: string[], have: Set<string>): string[] {
  const seen = new Set<string>();
  const todo = [...roots];
  while (todo.length > 0) {
    const n = todo.pop()!;
    if (seen.has(n) || have.has(n)) continue;
    seen.add(n);
    todo.push(...lock.packages[n]!.pre_depends, ...lock.packages[n]!.depends);
  }
  return [...seen].sort();
}

export default async function debianBenchmarks(): Promise<void> {
  const lock = JSON.parse(readFileSync(join(repoRoot, "debian/bookworm.lock.json"), "utf8")) as Lock;
  const mirror = debianMirror(repoRoot);
  const vol = scratchBtrfs(16);
  try {
    const proj = join(vol.mount, "project");
    const debs = join(vol.mount, "debs");
    mkdirSync(proj, { recursive: true });
    mkdirSync(debs, { recursive: true });
    const wv = join(vol.mount, "strata-out");
    const essential = closure(lock, Object.keys(lock.packages).filter((n) => lock.packages[n]!.essential), new Set());
    const child = closure(lock, CHILD_PACKAGES, new Set(essential));
    const applianceDebs = closure(lock, [...essential, ...APPLIANCE_PACKAGES], new Set());
    const files = new Map<string, string>();
    for (const n of [...new Set([...essential, ...child, ...applianceDebs])]) files.set(n, await fetchDeb(n, lock.packages[n]!, mirror, debs));
    const entry = (n: string) => ({ ...lock.packages[n]!, name: n, deb: files.get(n)!, filename: undefined, size: undefined, provides: undefined });
    const feature = (label: string, packages: string[], bootstrap: boolean, names: string[], appliance?: string) => ({
      type: "apt_install",
      label,
      packages,
      resolved: { bootstrap, flavor: "//debian:bookworm", debs: names.map((n) => JSON.parse(JSON.stringify(entry(n)))), ...(appliance !== undefined ? { appliance } : {}) },
    });
    // the build appliance, bootstrapped with the host's tools (its flavor has none), untimed
    const applianceFeatures = writeJson(join(proj, "appliance.json"), [feature("//bench:appliance", APPLIANCE_PACKAGES, true, applianceDebs)]);
    await timeStrata(["compile", "--label", "//bench:appliance", "--phase", "package_manager", "--features", applianceFeatures, "--out", join(proj, "appliance"), "--working-volume", join(vol.mount, "strata-out")], proj);
    const baseFeatures = writeJson(join(proj, "base.json"), [feature("//bench:base", ["dpkg"], true, essential, join(proj, "appliance"))]);
    const childFeatures = writeJson(join(proj, "child.json"), [feature("//bench:child", CHILD_PACKAGES, false, child)]);
    const compile = (label: string, features: string, out: string, extra: string[] = []) =>
      timeStrata(["compile", "--label", label, "--phase", "package_manager", "--features", features, "--out", out, "--working-volume", wv, ...extra], proj);

    // a repository of the same files for mmdebstrap (dists/bookworm/main, an unsigned Release it is told to trust)
    sh("sh", ["-c", REPO_SCRIPT, "repo", debs]);
    const mm: number[] = [];
    const mmUnsafe: number[] = [];
    const ours: number[] = [];
    const mmdebstrap = (target: string, extra: string[]) =>
      timeCommand("mmdebstrap", ["--quiet", "--variant=essential", "--mode=root", ...extra, "--hook-dir=/usr/share/mmdebstrap/hooks/file-mirror-automount", "bookworm", target, `deb [trusted=yes] file://${debs} bookworm main`]);
    for (let i = 0; i < RUNS; i++) {
      settle();
      ours.push((await compile("//bench:base", baseFeatures, join(proj, `base${i}`))).seconds);
      settle();
      // the automount hook bind-mounts the file:// repository into the chroot (as strata binds its .debs)
      mm.push((await mmdebstrap(join(vol.mount, `mm${i}`), [])).seconds);
      if (quick) continue;
      settle();
      mmUnsafe.push((await mmdebstrap(join(vol.mount, `mmu${i}`), ["--dpkgopt=force-unsafe-io"])).seconds);
    }
    printResult({
      name: "debian_bootstrap_vs_mmdebstrap",
      params: {
        packages: essential.length,
        ratio_meaning: "strata/mmdebstrap; target <= 1.0",
        subject: "strata compile: apt_install bootstrap into an empty layer (process, snapshot, extraction with the build appliance's tools, dpkg --install --force-depends in isolation, audit, facts, publish)",
        baseline: "mmdebstrap --variant=essential --mode=root from a local repository of the same .debs (file://, automount hook)",
        runs_seconds: ours.map((x) => Math.round(x * 100) / 100),
        baseline_runs_seconds: mm.map((x) => Math.round(x * 100) / 100),
        ...sameOptions(ours, mmUnsafe),
      },
      seconds: median(ours),
      baseline_seconds: median(mm),
      ratio: median(ours) / median(mm),
      peak_rss_mb: 0,
      runs: RUNS,
    });

    const parent = join(proj, "base0");
    const plain: number[] = [];
    const plainUnsafe: number[] = [];
    const childRuns: number[] = [];
    const portableRuns: number[] = [];
    const childDebs = child.map((n) => `/debs/${basename(files.get(n)!)}`);
    // the parent as a portable phase too (untimed): what Buck2 runs is `strata phase`, which also writes the diff
    const phase = (label: string, features: string, out: string, ancestors: string[]) =>
      timeStrata(
        ["phase", "--label", label, "--phase", "package_manager", "--features", features, ...ancestors, "--diff-out", `${out}.tar`, "--record-out", `${out}.json`, "--key-out", `${out}.key`, "--working-volume", wv, "--store", "volume"],
        proj,
      );
    const baseChain = join(proj, "base-phase");
    await phase("//bench:base", baseFeatures, baseChain, []);
    // the rootless side: the user's own appliance and parent (untimed), on a directory of the volume it owns
    const user = ensureUser(process.env.STRATA_BENCH_USER ?? ROOTLESS_USER, true);
    chmodSync(join(vol.mount, ".."), 0o755);
    chmodSync(vol.mount, 0o755);
    const rl = join(vol.mount, "rootless");
    mkdirSync(rl);
    const rlAppliance = writeJson(join(rl, "appliance.json"), [feature("//bench:appliance", APPLIANCE_PACKAGES, true, applianceDebs)]);
    const rlBase = writeJson(join(rl, "base.json"), [feature("//bench:base", ["dpkg"], true, essential, join(rl, "appliance"))]);
    sh("chown", ["-R", `${user.uid}:${user.gid}`, rl]);
    const compileAsUser = (label: string, features: string, out: string, extra: string[] = []) => {
      const [cmd, argv] = asUser(user, [process.execPath, strataBin, "compile", "--label", label, "--phase", "package_manager", "--features", features, "--out", out, "--working-volume", join(rl, "strata-out"), ...extra]);
      return timeCommand(cmd, argv, { cwd: rl });
    };
    await compileAsUser("//bench:appliance", rlAppliance, join(rl, "appliance"));
    await compileAsUser("//bench:base", rlBase, join(rl, "base"));
    const rootlessRuns: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      settle();
      rootlessRuns.push((await compileAsUser("//bench:child", childFeatures, join(rl, `child${i}`), ["--parent", join(rl, "base")])).seconds);
      settle();
      childRuns.push((await compile("//bench:child", childFeatures, join(proj, `child${i}`), ["--parent", parent])).seconds);
      settle();
      portableRuns.push((await phase("//bench:child", childFeatures, join(proj, `child-phase${i}`), ["--ancestor", `${baseChain}.key,${baseChain}.tar,${baseChain}.json`])).seconds);
      for (const [j, opts] of (quick ? [[]] : [[], ["--force-unsafe-io"]]).entries()) {
        const copy = join(vol.mount, `copy${i}-${j}`);
        // a writable snapshot of the parent: the cheapest copy there is (untimed)
        sh("btrfs", ["subvolume", "snapshot", realpathSync(parent), copy]);
        for (const d of ["debs", "proc", "dev"]) mkdirSync(join(copy, d), { recursive: true });
        sh("mount", ["--bind", join(debs, "pool"), join(copy, "debs")]);
        sh("mount", ["--bind", "/dev", join(copy, "dev")]);
        sh("mount", ["-t", "proc", "proc", join(copy, "proc")]);
        try {
          settle();
          const t = (await timeCommand("chroot", [copy, "dpkg", ...opts, "--install", ...childDebs], { env: { DEBIAN_FRONTEND: "noninteractive" } })).seconds;
          (j === 0 ? plain : plainUnsafe).push(t);
        } finally {
          for (const d of ["proc", "dev", "debs"]) sh("umount", [join(copy, d)]);
        }
      }
    }
    printResult({
      name: "debian_child_vs_dpkg",
      params: {
        packages: child.length,
        ratio_meaning: "strata/dpkg; target <= 1.3",
        subject: "strata compile: apt_install of 7 packages over the bootstrapped parent (snapshot, Pre-Depends batches in isolation, audit, facts, publish)",
        baseline: "chroot COPY dpkg --install of the same .debs (one call) in a writable btrfs snapshot of the parent; the snapshot is not timed",
        runs_seconds: childRuns.map((x) => Math.round(x * 100) / 100),
        baseline_runs_seconds: plain.map((x) => Math.round(x * 100) / 100),
        ...sameOptions(childRuns, plainUnsafe),
      },
      seconds: median(childRuns),
      baseline_seconds: median(plain),
      ratio: median(childRuns) / median(plain),
      peak_rss_mb: 0,
      runs: RUNS,
    });
    printResult({
      name: "debian_child_rootless_vs_root",
      params: {
        packages: child.length,
        ratio_meaning: "subject/baseline (rootless/root); target <= 1.2",
        subject: "strata compile as an ordinary user (rootless: runuser, the user namespace entry, unprivileged btrfs snapshot of its own bootstrapped parent, dpkg inside the namespace), the same child as debian_child_vs_dpkg",
        baseline: "debian_child_vs_dpkg's strata runs as root, alternated with these in the same loop",
        runs_seconds: rootlessRuns.map((x) => Math.round(x * 100) / 100),
        baseline_runs_seconds: childRuns.map((x) => Math.round(x * 100) / 100),
      },
      seconds: median(rootlessRuns),
      baseline_seconds: median(childRuns),
      ratio: median(rootlessRuns) / median(childRuns),
      peak_rss_mb: 0,
      runs: RUNS,
    });
    printResult({
      name: "debian_child_portable_vs_dpkg",
      params: {
        packages: child.length,
        ratio_meaning: "strata/dpkg; target <= 1.3",
        subject: "strata phase (the action Buck2 runs): the child's apt_install as above, plus finding what it changed and writing the diff tar and record (docs/portable.md); its materialisation is then a publish",
        baseline: "as debian_child_vs_dpkg, the same runs",
        runs_seconds: portableRuns.map((x) => Math.round(x * 100) / 100),
        same_options_ratio: sameOptions(portableRuns, plainUnsafe).same_options_ratio,
      },
      seconds: median(portableRuns),
      baseline_seconds: median(plain),
      ratio: median(portableRuns) / median(plain),
      peak_rss_mb: 0,
      runs: RUNS,
    });
  } finally {
    vol.cleanup();
  }
}
