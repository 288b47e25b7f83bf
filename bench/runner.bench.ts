// Runner benchmarks (need root: they make their own loopback btrfs volume). Each prints one JSON line.
//   child_layer_vs_parent_size  one install_text on a 100,000-file parent vs on a 1,000-file parent
//   child_layer_vs_cp           that 100k child build vs `cp -a` of the parent's tree
//   install_vs_cp               `install` of a 10,000-file, 100 MB directory vs `cp -a` of it
import { execFileSync } from "node:child_process";
import { realpathSync, rmSync } from "node:fs";
import { join } from "node:path";
import { type Timed, makeTree, median, printResult, runs, scratchBtrfs, settle, size, timeCommand, timeStrata, writeJson } from "./lib.js";

const RUNS = runs(11);
const CP_RUNS = runs(5);
// [dirs, files per dir]: the small and the large parent, the installed directory (files of 10 KB)
const SMALL = size([10, 100], [10, 10]);
const LARGE = size([100, 1000], [10, 200]);
const INSTALL = size([100, 100], [10, 50]);
const count = ([d, f]: number[]): number => d! * f!;

function coreutilsVersion(): string {
  return execFileSync("cp", ["--version"], { encoding: "utf8" }).split("\n")[0] ?? "cp";
}

export default async function runnerBenchmarks(): Promise<void> {
  const vol = scratchBtrfs();
  try {
    const proj = join(vol.mount, "project");
    const wv = join(vol.mount, "strata-out");
    const compile = (label: string, features: string, out: string, extra: string[] = []): Promise<Timed> =>
      timeStrata(["compile", "--label", label, "--phase", "compile", "--features", features, "--out", out, "--working-volume", wv, ...extra], proj);

    // parents: one install of a 1,000-file and of a 100,000-file directory
    makeTree(join(proj, "src1k"), SMALL[0]!, SMALL[1]!, 16);
    makeTree(join(proj, "src100k"), LARGE[0]!, LARGE[1]!, 16);
    const parent1k = join(proj, "parent1k");
    const parent100k = join(proj, "parent100k");
    await compile("//bench:p1k", writeJson(join(proj, "p1k.json"), [{ type: "install", label: "//bench:p1k", src: "src1k", dst: "/data/" }]), parent1k);
    const parentBuild = await compile("//bench:p100k", writeJson(join(proj, "p100k.json"), [{ type: "install", label: "//bench:p100k", src: "src100k", dst: "/data/" }]), parent100k);
    const child = writeJson(join(proj, "child.json"), [{ type: "install_text", label: "//bench:child", text: "one more file\n", dst: "/data/new.txt" }]);

    // alternate the two cases so that machine noise hits both alike
    const small: Timed[] = [];
    const large: Timed[] = [];
    for (let i = 0; i < RUNS; i++) {
      settle();
      small.push(await compile("//bench:child", child, join(proj, "child1k"), ["--parent", parent1k]));
      settle();
      large.push(await compile("//bench:child", child, join(proj, "child100k"), ["--parent", parent100k]));
    }
    // the same child build inside this process: the layer work without Node start-up and module loading
    const { compilePhase } = await import("../src/compile.js");
    const inProcess: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      settle();
      const t0 = process.hrtime.bigint();
      await compilePhase({ label: "//bench:child", phase: "compile", features: child, out: join(proj, "child100k-in"), parent: parent100k, workingVolume: wv, projectRoot: proj });
      inProcess.push(Number(process.hrtime.bigint() - t0) / 1e9);
    }
    const tIn = median(inProcess);
    const exportRuns: Timed[] = [];
    for (let i = 0; i < runs(3); i++) exportRuns.push(await compile("//bench:child", child, join(proj, "child100k-f"), ["--parent", parent100k, "--facts-out", join(proj, "child100k.facts.json")]));
    const t1k = median(small.map((t) => t.seconds));
    const t100k = median(large.map((t) => t.seconds));
    printResult({
      name: "child_layer_vs_parent_size",
      params: {
        child: "one install_text",
        parent_files_subject: count(LARGE),
        parent_files_baseline: count(SMALL),
        ratio_meaning: "subject/baseline (100k parent / 1k parent); target <= 1.3",
        includes: "whole `strata compile` process (node start, validation, snapshot, facts delta, seal, publish), without --facts-out",
        with_facts_out_100k_seconds: median(exportRuns.map((t) => t.seconds)),
        in_process_100k_seconds: tIn,
        parent_100k_build_seconds: parentBuild.seconds,
        parent_100k_build_peak_rss_mb: parentBuild.rssMb,
      },
      seconds: t100k,
      baseline_seconds: t1k,
      ratio: t100k / t1k,
      peak_rss_mb: Math.max(...large.map((t) => t.rssMb)),
      runs: RUNS,
    });

    const cp: number[] = [];
    const parentTree = realpathSync(parent100k);
    for (let i = 0; i < CP_RUNS; i++) {
      const dst = join(vol.mount, `cp-parent-${i}`);
      settle();
      cp.push((await timeCommand("cp", ["-a", parentTree, dst])).seconds);
      rmSync(dst, { recursive: true, force: true });
    }
    const tcp = median(cp);
    printResult({
      name: "child_layer_vs_cp",
      params: {
        subject: "strata compile of a one-file child on the 100,000-file parent (the runs above)",
        baseline: `cp -a of the parent's tree on the same btrfs volume (${coreutilsVersion()}, reflinks by default)`,
        ratio_meaning: "baseline/subject: how many times faster the child build is than copying the parent; target >= 20",
        cp_runs: CP_RUNS,
        in_process_subject_seconds: tIn,
        in_process_ratio: tcp / tIn,
        in_process_meaning: "the same child build called in this process (compilePhase): no Node start-up or module loading",
      },
      seconds: t100k,
      baseline_seconds: tcp,
      ratio: tcp / t100k,
      peak_rss_mb: Math.max(...large.map((t) => t.rssMb)),
      runs: RUNS,
    });

    // install of a 10,000-file, 100 MB directory vs cp -a of it (both on the btrfs volume)
    makeTree(join(proj, "src100mb"), INSTALL[0]!, INSTALL[1]!, 10_240);
    const inst = writeJson(join(proj, "install.json"), [{ type: "install", label: "//bench:inst", src: "src100mb", dst: "/data/" }]);
    const installs: Timed[] = [];
    const cps: number[] = [];
    for (let i = 0; i < CP_RUNS; i++) {
      settle();
      installs.push(await compile("//bench:inst", inst, join(proj, `inst${i}`)));
      const dst = join(vol.mount, `cp-src-${i}`);
      settle();
      cps.push((await timeCommand("cp", ["-a", join(proj, "src100mb"), dst])).seconds);
      rmSync(dst, { recursive: true, force: true });
    }
    const tin = median(installs.map((t) => t.seconds));
    const tcp2 = median(cps);
    printResult({
      name: "install_vs_cp",
      params: {
        files: count(INSTALL),
        megabytes: count(INSTALL) / 100,
        subject: "strata compile with one install of the directory (no parent)",
        baseline: `cp -a of the directory on the same btrfs volume (${coreutilsVersion()}, reflinks by default)`,
        ratio_meaning: "subject/baseline; target <= 1.5",
      },
      seconds: tin,
      baseline_seconds: tcp2,
      ratio: tin / tcp2,
      peak_rss_mb: Math.max(...installs.map((t) => t.rssMb)),
      runs: CP_RUNS,
    });
  } finally {
    vol.cleanup();
  }
}
