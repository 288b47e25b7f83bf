// Benchmarks of remote caching on NativeLink (need root, Buck2 and NativeLink: STRATA_BUCK2/STRATA_NATIVELINK, on
// PATH, or ../shared/tools beside the checkout). Each prints one JSON line.
//   remote_cache_cold_machine_vs_local  a 20-layer chain (each layer a genrule doing ~a second of CPU work) on a cold
//                                        machine (buck-out cleaned, working volume emptied) with a warm remote cache,
//                                        vs the same chain built from scratch locally; bytes moved from Buck2's report
//   remote_cache_one_file_change         the 10th layer's genrule changed, remote cache on: which phases ran (only
//                                        that layer's and its descendants'), vs the chain built from scratch locally
import { execa } from "execa";
import { appendFileSync, cpSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { findTool, median, printResult, repoRoot, runs, scratchBtrfs, settle, size, timeCommand } from "./lib.js";

const RUNS = runs(3);
const CHAIN = size(20, 4);
const CHANGED = size(9, 2); // the 10th layer (the 3rd in quick mode)
// bytes of zeros each genrule layer hashes: about a second of CPU
const WORK_BYTES = size(150_000_000, 1_000_000);
const PROJECT_FILES = [".buckconfig", "BUCK", "prelude", "rules", "bin", "dist", "package.json", "base", "debian", "remote", "scripts"];

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once("error", rej);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => (typeof a === "object" && a !== null ? res(a.port) : rej(new Error("no port"))));
    });
  });
}

/** the chain: c0 on //base:shell, each c<i> a genrule layer hashing 150 MB of zeros and writing the sum and its text */
function chainBuck(changedText: string): string {
  const lines = ['load("//rules:defs.bzl", "feature", "image")', ""];
  lines.push('image.layer(name = "c0", parent_layer = "//base:shell", features = [feature.ensure_dirs_exist(dirs = "/work")])');
  for (let i = 1; i < CHAIN; i++) {
    const text = i === CHANGED ? changedText : `layer ${i}`;
    lines.push(
      `image.genrule_layer(name = "c${i}", parent_layer = ":c${i - 1}", rule_type = "work", user = "root", cmd = ["/bin/sh", "-c", "head -c ${WORK_BYTES} /dev/zero | sha256sum > /work/c${i}; echo '${text}' >> /work/c${i}"])`,
    );
  }
  return lines.join("\n") + "\n";
}

interface Ran {
  category: string;
  executor: string;
}

export default async function remoteBenchmarks(): Promise<void> {
  const buck2 = findTool("STRATA_BUCK2", "buck2");
  const nativelink = findTool("STRATA_NATIVELINK", "nativelink");
  if (buck2 === undefined || nativelink === undefined) {
    process.stderr.write("remote benchmarks skipped: need Buck2 and NativeLink (STRATA_BUCK2, STRATA_NATIVELINK or on PATH)\n");
    return;
  }
  const vol = scratchBtrfs();
  const root = join(vol.mount, "project");
  const nlDir = join(vol.mount, "nativelink");
  const wv = join(vol.mount, "strata-out");
  const env = { STRATA_WORKING_VOLUME: wv };
  const b2 = (args: string[]) => timeCommand(buck2, args, { cwd: root, env });
  const nl = (args: string[]) => execa("bash", [join(root, "scripts", "nativelink.sh"), ...args, "--dir", nlDir], { env: { STRATA_NATIVELINK: nativelink } });
  const whatRan = async (): Promise<Ran[]> => {
    const r = await execa(buck2, ["log", "what-ran", "--format", "json"], { cwd: root, env: { ...process.env, ...env } });
    return String(r.stdout)
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as { identity: string; reproducer: { executor: string } })
      .map((r) => ({ category: /\(([^()]*)\)$/.exec(r.identity)?.[1] ?? "", executor: r.reproducer.executor }));
  };
  /** Buck2's "Network: Up: X Down: Y" line of a build */
  const network = (stderr: string): { up: string; down: string } => {
    const m = /Network: Up: (\S+)\s+Down: (\S+)/.exec(stderr);
    return { up: m?.[1] ?? "?", down: m?.[2] ?? "?" };
  };
  const build = async (mode: "local" | "cache"): Promise<{ seconds: number; stderr: string }> => {
    const t0 = process.hrtime.bigint();
    const r = await execa(buck2, ["build", ...(mode === "cache" ? ["--config-file", "remote/cache.buckconfig"] : []), `//chain:c${CHAIN - 1}`], {
      cwd: root,
      env: { ...process.env, ...env },
      reject: false,
    });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.exitCode !== 0) throw new Error(`buck2 build (${mode}) failed:\n${String(r.stderr)}`);
    return { seconds, stderr: String(r.stderr) };
  };
  /** a cold machine: no buck-out, an empty working volume */
  const coldMachine = async (): Promise<void> => {
    await b2(["clean"]);
    await timeCommand("node", [join(root, "bin", "strata.mjs"), "clean", "--working-volume", wv]);
    settle();
  };
  try {
    for (const f of PROJECT_FILES) cpSync(join(repoRoot, f), join(root, f), { recursive: true });
    symlinkSync(join(repoRoot, "node_modules"), join(root, "node_modules"));
    if (existsSync(join(repoRoot, ".buckconfig.local"))) cpSync(join(repoRoot, ".buckconfig.local"), join(root, ".buckconfig.local"));
    const [port, workerPort] = [await freePort(), await freePort()];
    await nl(["start", "--port", String(port), "--worker-port", String(workerPort)]);
    const address = `grpc://127.0.0.1:${port}`;
    appendFileSync(
      join(root, ".buckconfig.local"),
      `\n[buck2_re_client]\n  engine_address = ${address}\n  action_cache_address = ${address}\n  cas_address = ${address}\n  tls = false\n  instance_name = main\n`,
    );
    mkdirSync(join(root, "chain"));
    writeFileSync(join(root, "chain", "BUCK"), chainBuck("first"));

    // warm the remote cache once (this machine's build, uploaded)
    await coldMachine();
    await build("cache");

    const local: number[] = [];
    const cached: number[] = [];
    let net = { up: "?", down: "?" };
    let hits = 0;
    let phases = 0;
    for (let i = 0; i < RUNS; i++) {
      await coldMachine();
      local.push((await build("local")).seconds);
      await coldMachine();
      const c = await build("cache");
      cached.push(c.seconds);
      net = network(c.stderr);
      const ran = (await whatRan()).filter((r) => r.category.startsWith("strata_phase"));
      phases = ran.length;
      hits = ran.filter((r) => r.executor === "Cache").length;
      if (hits !== phases) throw new Error(`expected every strata_phase action of a cold machine to be a cache hit: ${hits} of ${phases}`);
    }
    const [tLocal, tCached] = [median(local), median(cached)];
    printResult({
      name: "remote_cache_cold_machine_vs_local",
      params: {
        layers: CHAIN,
        work_per_layer: `sha256 of ${WORK_BYTES / 1e6} MB of zeros in a genrule (busybox)`,
        subject: "buck2 build of the chain's top after buck2 clean and strata clean, remote cache on (warm)",
        baseline: "the same, local only (everything built from scratch)",
        ratio_meaning: "baseline/subject; goal >= 5",
        phase_actions: phases,
        phase_cache_hits: hits,
        network_up: net.up,
        network_down: net.down,
      },
      seconds: tCached,
      baseline_seconds: tLocal,
      ratio: tLocal / tCached,
      peak_rss_mb: 0,
      runs: RUNS,
    });

    // one changed layer (the 10th) with the cache on, from a machine that has the chain built
    const incremental: number[] = [];
    let ranPhases: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      writeFileSync(join(root, "chain", "BUCK"), chainBuck(`changed ${i}`));
      settle();
      const c = await build("cache");
      incremental.push(c.seconds);
      // (the first action on a new persistent worker also has a WorkerInit record)
      ranPhases = (await whatRan()).filter((r) => r.category.startsWith("strata_phase") && r.executor !== "Cache" && r.executor !== "WorkerInit").map((r) => r.category);
      if (ranPhases.length !== CHAIN - CHANGED) throw new Error(`expected ${CHAIN - CHANGED} phases to run (layer ${CHANGED + 1} and those above), ran ${ranPhases.length}`);
    }
    printResult({
      name: "remote_cache_one_file_change",
      params: {
        layers: CHAIN,
        changed_layer: CHANGED + 1,
        subject: `buck2 build after layer ${CHANGED + 1}'s genrule text changed, remote cache on`,
        baseline: "the chain built from scratch locally (median above)",
        phases_run: ranPhases.length,
        phases_expected: CHAIN - CHANGED,
      },
      seconds: median(incremental),
      baseline_seconds: tLocal,
      ratio: tLocal / median(incremental),
      peak_rss_mb: 0,
      runs: RUNS,
    });
  } finally {
    await execa(buck2, ["kill"], { cwd: root, reject: false });
    await nl(["stop"]).catch(() => {});
    await execa("node", [join(repoRoot, "bin", "strata.mjs"), "clean", "--working-volume", wv], { reject: false });
    vol.cleanup();
  }
}
