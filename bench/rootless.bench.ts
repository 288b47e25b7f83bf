// Rootless builds against root builds, in one run (needs root: it makes the scratch btrfs volume and runs the
// rootless side as an ordinary user with runuser; STRATA_BENCH_USER, default strata-rl, is created with a
// subordinate range when missing):
//   rootless_child_vs_root_btrfs   a one-file child of a 100,000-file parent, rootless (unprivileged subvolume
//                                  snapshot on a btrfs the user owns) vs root; target <= 1.2
//   rootless_child_vs_cp_btrfs     that rootless child vs `cp -a` of the parent's tree; target >= 20
//   rootless_child_copy_backend    the same child rootless on a plain directory (copy backend): a full copy of the
//                                  parent, reported against root on btrfs (no target: the fallback's cost)
// STRATA_BENCH_QUICK=1: one run each, a 2,000-file parent, ratios printed but meaningless.
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { asUser, ensureUser, ROOTLESS_USER, type TestUser } from "./rootless-user.js";
import { type Timed, makeTree, median, printResult, scratchBtrfs, settle, strataBin, timeCommand, timeStrata, writeJson } from "./lib.js";

const QUICK = process.env.STRATA_BENCH_QUICK === "1";
const RUNS = QUICK ? 1 : 7;
const CP_RUNS = QUICK ? 1 : 3;

/** `strata ...args` as the user (rootless), timed */
function timeAsUser(user: TestUser, args: string[], cwd: string): Promise<Timed> {
  const [cmd, argv] = asUser(user, [process.execPath, strataBin, ...args]);
  return timeCommand(cmd, argv, { cwd });
}

export default async function rootlessBenchmarks(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error("the rootless benchmark needs root: it creates a loopback btrfs volume and a test user");
  const user = ensureUser(process.env.STRATA_BENCH_USER ?? ROOTLESS_USER, true);
  const vol = scratchBtrfs(QUICK ? 4 : 24);
  const plain = mkdtempSync(join(tmpdir(), "strata-bench-rootless-"));
  try {
    chmodSync(join(vol.mount, ".."), 0o755);
    chmodSync(plain, 0o755);
    const proj = join(vol.mount, "project");
    mkdirSync(proj);
    const [dirs, files] = QUICK ? [20, 100] : [100, 1000];
    makeTree(join(proj, "src"), dirs, files, 16);
    const parentFeatures = writeJson(join(proj, "parent.json"), [{ type: "install", label: "//bench:parent", src: "src", dst: "/data/" }]);
    const child = writeJson(join(proj, "child.json"), [{ type: "install_text", label: "//bench:child", text: "one more file\n", dst: "/data/new.txt" }]);
    execFileSync("chown", ["-R", `${user.uid}:${user.gid}`, proj]);
    chmodSync(vol.mount, 0o755);
    const args = (wv: string, label: string, features: string, out: string, extra: string[] = []): string[] => [
      "compile",
      "--label",
      label,
      "--phase",
      "compile",
      "--features",
      features,
      "--out",
      out,
      "--working-volume",
      wv,
      ...extra,
    ];
    // three working volumes: root's and the user's on the btrfs volume, the user's on a plain directory
    const rootWv = join(vol.mount, "root-wv");
    const userWv = join(proj, "user-wv");
    const copyProj = join(plain, "project");
    mkdirSync(copyProj);
    execFileSync("cp", ["-a", join(proj, "src"), parentFeatures, child, copyProj]);
    execFileSync("chown", ["-R", `${user.uid}:${user.gid}`, copyProj]);
    const copyWv = join(copyProj, "user-wv");
    await timeStrata(args(rootWv, "//bench:parent", parentFeatures, join(proj, "root-parent")), proj);
    await timeAsUser(user, args(userWv, "//bench:parent", parentFeatures, join(proj, "user-parent")), proj);
    await timeAsUser(user, args(copyWv, "//bench:parent", join(copyProj, "parent.json"), join(copyProj, "user-parent")), copyProj);
    const rootRuns: Timed[] = [];
    const userRuns: Timed[] = [];
    const copyRuns: Timed[] = [];
    // alternate, so machine noise hits all alike
    for (let i = 0; i < RUNS; i++) {
      settle();
      rootRuns.push(await timeStrata(args(rootWv, "//bench:child", child, join(proj, "root-child"), ["--parent", join(proj, "root-parent")]), proj));
      settle();
      userRuns.push(await timeAsUser(user, args(userWv, "//bench:child", child, join(proj, "user-child"), ["--parent", join(proj, "user-parent")]), proj));
      settle();
      copyRuns.push(await timeAsUser(user, args(copyWv, "//bench:child", join(copyProj, "child.json"), join(copyProj, "user-child"), ["--parent", join(copyProj, "user-parent")]), copyProj));
    }
    const cp: number[] = [];
    const parentTree = realpathSync(join(proj, "root-parent"));
    for (let i = 0; i < CP_RUNS; i++) {
      const dst = join(vol.mount, `cp-parent-${i}`);
      settle();
      cp.push((await timeCommand("cp", ["-a", parentTree, dst])).seconds);
      rmSync(dst, { recursive: true, force: true });
    }
    const tRoot = median(rootRuns.map((t) => t.seconds));
    const tUser = median(userRuns.map((t) => t.seconds));
    const tCopy = median(copyRuns.map((t) => t.seconds));
    const tcp = median(cp);
    const fsOf = (p: string): string => execFileSync("stat", ["-f", "-c", "%T", p], { encoding: "utf8" }).trim();
    const common = { parent_files: dirs * files, child: "one install_text", quick: QUICK, includes: "whole `strata compile` process; rootless: runuser, the namespace entry (unshare, newuidmap/newgidmap) and a second Node start" };
    printResult({
      name: "rootless_child_vs_root_btrfs",
      params: { ...common, ratio_meaning: "subject/baseline (rootless/root), both on btrfs; target <= 1.2" },
      seconds: tUser,
      baseline_seconds: tRoot,
      ratio: tUser / tRoot,
      peak_rss_mb: 0,
      runs: RUNS,
    });
    printResult({
      name: "rootless_child_vs_cp_btrfs",
      params: { ...common, baseline: "cp -a of the parent's tree on the same btrfs volume (reflinks)", ratio_meaning: "baseline/subject: how many times faster the rootless child is than copying the parent; target >= 20", cp_runs: CP_RUNS },
      seconds: tUser,
      baseline_seconds: tcp,
      ratio: tcp / tUser,
      peak_rss_mb: 0,
      runs: RUNS,
    });
    printResult({
      name: "rootless_child_copy_backend",
      params: { ...common, working_volume_fs: fsOf(plain), ratio_meaning: "subject/baseline (rootless on the copy backend / root on btrfs); no target: the fallback copies the parent" },
      seconds: tCopy,
      baseline_seconds: tRoot,
      ratio: tCopy / tRoot,
      peak_rss_mb: 0,
      runs: RUNS,
    });
  } finally {
    execFileSync("rm", ["-rf", plain]);
    vol.cleanup();
  }
}

