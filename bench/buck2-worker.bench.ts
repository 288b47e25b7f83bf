// Benchmarks under real Buck2 (need root and Buck2: STRATA_BUCK2 or `buck2` on PATH). Each prints one JSON line.
//   buck2_child_layer_vs_cp   `buck2 build` of a child layer adding one file on a 100,000-file parent (persistent
//                             worker on) vs `cp -a` of the parent's tree
//   buck2_cache_hit           `buck2 build` of an unchanged 20-layer chain: strata's own time per layer (the
//                             worker's request times, 0 when Buck2 runs nothing), vs the chain rebuilt
//   buck2_chain_worker        a 20-layer chain rebuilt with the persistent worker vs without (one Node process per action)
import { execa } from "execa";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { findTool, makeTree, median, printResult, repoRoot, runs, scratchBtrfs, settle, size, timeCommand } from "./lib.js";

const RUNS = runs(7);
const CP_RUNS = runs(5);
const CHAIN = size(20, 3);
// [dirs, files per dir] of the child's parent
const PARENT = size([100, 1000], [10, 200]);
const PROJECT_FILES = [".buckconfig", "BUCK", "prelude", "rules", "bin", "dist", "package.json"];
const WORKER_DIR = "/tmp/buck2_worker";

function chainBuck(seed: string): string {
  const lines = ['load("//rules:defs.bzl", "feature", "image")', ""];
  for (let i = 0; i < CHAIN; i++) {
    const parent = i === 0 ? "" : `parent_layer = ":c${i - 1}", `;
    const text = i === 0 ? `${seed}\\n` : `layer ${i}\\n`;
    lines.push(`image.layer(name = "c${i}", ${parent}features = [feature.install_text(text = "${text}", dst = "/c${i}.txt")])`);
  }
  return lines.join("\n") + "\n";
}

function childBuck(text: string): string {
  return [
    'load("//rules:defs.bzl", "feature", "image")',
    'image.layer(name = "parent", features = [feature.install(src = "src100k", dst = "/data/")])',
    `image.layer(name = "child", parent_layer = ":parent", features = [feature.install_text(text = "${text}\\n", dst = "/data/new.txt")])`,
    "",
  ].join("\n");
}

/**
 * milliseconds the worker spent on requests, from the logs of the workers Buck2 started for one build (their
 * directories are named after the build's id: other builds on the machine, a test suite's for one, do not count)
 */
function workerTime(buildId: string): { requests: number; ms: number; workers: number } {
  let requests = 0;
  let ms = 0;
  let workers = 0;
  if (!existsSync(WORKER_DIR)) return { requests, ms, workers };
  for (const d of readdirSync(WORKER_DIR)) {
    const log = join(WORKER_DIR, d, "stderr");
    if (!d.startsWith(`${buildId}-`) || !existsSync(log)) continue;
    workers++;
    for (const m of readFileSync(log, "utf8").matchAll(/request \d+ \(\w+\) .* in ([\d.]+) ms/g)) {
      requests++;
      ms += Number(m[1]);
    }
  }
  return { requests, ms, workers };
}

export default async function buck2Benchmarks(): Promise<void> {
  const buck2 = findTool("STRATA_BUCK2", "buck2");
  if (buck2 === undefined) {
    process.stderr.write("buck2 benchmarks skipped: no Buck2 (set STRATA_BUCK2 or put buck2 on PATH)\n");
    return;
  }
  const vol = scratchBtrfs();
  const root = join(vol.mount, "project");
  // the layers live outside the project: Buck2 watches the project's files, and a 100k-file layer written inside it
  // floods its file watcher so that the next edit is not seen in time
  const env = { STRATA_WORKING_VOLUME: join(vol.mount, "strata-out") };
  const b2 = (args: string[]) => timeCommand(buck2, args, { cwd: root, env });
  const buildIdFile = join(vol.mount, "build-id");
  /** `buck2 build ARGS`: its wall time and what its persistent workers did */
  const build = async (args: string[]): Promise<{ seconds: number; worker: ReturnType<typeof workerTime> }> => {
    const { seconds } = await b2(["build", "--write-build-id", buildIdFile, ...args]);
    return { seconds, worker: workerTime(readFileSync(buildIdFile, "utf8").trim()) };
  };
  try {
    for (const f of PROJECT_FILES) cpSync(join(repoRoot, f), join(root, f), { recursive: true });
    symlinkSync(join(repoRoot, "node_modules"), join(root, "node_modules"));
    mkdirSync(join(root, "bench"));
    makeTree(join(root, "bench", "src100k"), PARENT[0]!, PARENT[1]!, 16);
    writeFileSync(join(root, "bench", "BUCK"), childBuck("first"));
    mkdirSync(join(root, "chain"));
    writeFileSync(join(root, "chain", "BUCK"), chainBuck("first"));
    const parentBuild = await b2(["build", "//bench:parent"]);

    // 1. a child layer on the 100k parent, rebuilt after each edit of its one file's text
    const child: number[] = [];
    const childStrata: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      writeFileSync(join(root, "bench", "BUCK"), childBuck(`run ${i}`));
      settle();
      const { seconds, worker: w } = await build(["//bench:child"]);
      child.push(seconds);
      // the phase and its materialisation
      if (w.requests !== 2) {
        const ran = await execa(buck2, ["log", "what-ran"], { cwd: root, reject: false });
        throw new Error(`expected the child build to send 2 requests to the worker, found ${w.requests} (${w.workers} workers):\n${ran.stdout}`);
      }
      childStrata.push(w.ms / 1000);
    }
    const show = await execa(buck2, ["build", "//bench:parent", "--show-full-output"], { cwd: root, env: { ...process.env, ...env } });
    const parentTree = realpathSync(show.stdout.trim().split(/\s+/)[1]!);
    const cp: number[] = [];
    for (let i = 0; i < CP_RUNS; i++) {
      const dst = join(vol.mount, `cp-parent-${i}`);
      settle();
      cp.push((await timeCommand("cp", ["-a", parentTree, dst])).seconds);
      rmSync(dst, { recursive: true, force: true });
    }
    const tChild = median(child);
    const tCp = median(cp);
    printResult({
      name: "buck2_child_layer_vs_cp",
      params: {
        parent_files: PARENT[0]! * PARENT[1]!,
        child: "one install_text, its text edited before each build",
        subject: "`buck2 build //bench:child` wall time (client, daemon, analysis, worker start, the compile request)",
        ratio_meaning: "baseline/subject (cp -a of the parent / buck2 build of the child); goal >= 20",
        strata_request_seconds: median(childStrata),
        parent_build_seconds: parentBuild.seconds,
      },
      seconds: tChild,
      baseline_seconds: tCp,
      ratio: tCp / tChild,
      peak_rss_mb: 0,
      runs: RUNS,
    });

    // 2 and 3. the 20-layer chain: rebuilt with and without the worker (alternating), and unchanged (cache hit)
    const withWorker: number[] = [];
    const without: number[] = [];
    let seed = 0;
    for (let i = 0; i < RUNS; i++) {
      for (const on of [true, false]) {
        writeFileSync(join(root, "chain", "BUCK"), chainBuck(`seed ${seed++}`));
        settle();
        const { seconds: t, worker: w } = await build([`//chain:c${CHAIN - 1}`, "-c", `strata.persistent_workers=${on}`]);
        if (on && w.requests !== 2 * CHAIN) throw new Error(`expected ${2 * CHAIN} worker requests (phase and materialisation per layer), found ${w.requests}`);
        if (!on && w.requests !== 0) throw new Error(`expected no worker with persistent_workers=false, found ${w.requests} requests`);
        (on ? withWorker : without).push(t);
      }
    }
    const tOn = median(withWorker);
    const tOff = median(without);
    printResult({
      name: "buck2_chain_worker",
      params: { layers: CHAIN, ratio_meaning: "baseline/subject (without worker / with worker): the worker's speed-up", baseline: "-c strata.persistent_workers=false" },
      seconds: tOn,
      baseline_seconds: tOff,
      ratio: tOff / tOn,
      peak_rss_mb: 0,
      runs: RUNS,
    });

    const hit: number[] = [];
    const hitStrataMs: number[] = [];
    const restartHit: number[] = [];
    const restartStrataMs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const unchanged = await build([`//chain:c${CHAIN - 1}`, "-c", "strata.persistent_workers=true"]);
      hit.push(unchanged.seconds);
      hitStrataMs.push(unchanged.worker.ms / CHAIN);
      await b2(["kill"]);
      const restarted = await build([`//chain:c${CHAIN - 1}`, "-c", "strata.persistent_workers=true"]);
      restartHit.push(restarted.seconds);
      restartStrataMs.push(restarted.worker.ms / CHAIN);
    }
    printResult({
      name: "buck2_cache_hit",
      params: {
        layers: CHAIN,
        subject: "`buck2 build` of the unchanged chain, daemon running",
        strata_ms_per_layer: median(hitStrataMs),
        after_daemon_restart_seconds: median(restartHit),
        after_daemon_restart_strata_ms_per_layer: median(restartStrataMs),
        ratio_meaning: "baseline/subject (the chain rebuilt with the worker / the unchanged chain); goal: strata_ms_per_layer < 50",
      },
      seconds: median(hit),
      baseline_seconds: tOn,
      ratio: tOn / median(hit),
      peak_rss_mb: 0,
      runs: RUNS,
    });
  } finally {
    await execa(buck2, ["kill"], { cwd: root, reject: false });
    vol.cleanup();
  }
}
