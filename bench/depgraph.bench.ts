// depgraph_100k: validate (schemas + dependency graph) and order 100,000 features of a realistic mix.
// Each run happens in a fresh child process so that its peak RSS is its own; prints one JSON line.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseFeatures } from "../src/features/registry.js";
import { emptyFacts, planPhase } from "../src/depgraph/index.js";
import type { FactsView, PathFact } from "../src/types.js";
import { median, quick, runs, size } from "./lib.js";

const FEATURES = size(100_000, 10_000);
const RUNS = runs(5);
const L = "//bench:layer";

/** Blocks of 10: a directory, five files (one owned by the block's user), two symlinks, a group and a user. */
export function makeFeatures(n: number): object[] {
  const out: object[] = [];
  for (let k = 0; out.length < n; k++) {
    const d = `/srv/b${k % 100}/s${k}`;
    const block = [
      { type: "ensure_dirs_exist", label: L, dirs: `${d}/etc` },
      ...[0, 1, 2, 3].map((j) => ({ type: "install_text", label: `//bench:f${k}`, text: `value ${k} ${j}\n`, dst: `${d}/etc/f${j}`, mode: j === 0 ? "u=rw,go=r" : null })),
      { type: "install_text", label: L, text: "owned\n", dst: `${d}/etc/owned`, user: `u${k}`, group: `g${k}` },
      { type: "ensure_file_symlink", label: L, link: `${d}/link`, target: "etc/f1" },
      { type: "ensure_dir_symlink", label: L, link: `${d}/cfg`, target: "etc" },
      { type: "group_add", label: L, groupname: `g${k}` },
      { type: "user_add", label: L, username: `u${k}`, primary_group: `g${k}`, home_dir: `${d}/cfg`, shell: "/bin/sh" },
    ];
    out.push(...block.slice(0, n - out.length));
  }
  // A realistic file is not sorted by dependency: interleave so providers often come after requirers.
  return out.reverse();
}

export function baseLayer(): FactsView {
  const paths = new Map<string, PathFact>(
    [
      ["/etc", "directory", 0o755],
      ["/etc/passwd", "file", 0o644],
      ["/etc/group", "file", 0o644],
      ["/bin", "directory", 0o755],
      ["/bin/sh", "file", 0o755],
      ["/srv", "directory", 0o755],
    ].map(([path, type, mode]) => [path as string, { path: path as string, type: type as PathFact["type"], mode: mode as number, uid: 0, gid: 0 }]),
  );
  return { ...emptyFacts, path: (p) => paths.get(p) };
}

async function measureOnce(): Promise<{ seconds: number; maxRssKb: number }> {
  const raw = JSON.stringify(makeFeatures(FEATURES));
  const parent = baseLayer();
  const start = process.hrtime.bigint();
  const features = parseFeatures(raw, L);
  const plan = await planPhase(features, { label: L, projectRoot: "/", parent, layerFacts: () => parent });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (plan.order.length !== FEATURES) throw new Error(`expected ${FEATURES} ordered features, got ${plan.order.length}`);
  return { seconds, maxRssKb: process.resourceUsage().maxRSS };
}

export default async function bench(): Promise<void> {
  const self = fileURLToPath(import.meta.url);
  const results: Array<{ seconds: number; maxRssKb: number }> = [];
  for (let i = 0; i < RUNS; i++) {
    const out = execFileSync(process.execPath, [self], { env: { ...process.env, STRATA_DEPGRAPH_BENCH_CHILD: "1" }, encoding: "utf8", maxBuffer: 1 << 20 });
    results.push(JSON.parse(out.trim().split("\n").pop()!));
  }
  const line = {
    name: "depgraph_100k",
    params: { features: FEATURES },
    seconds: Number(median(results.map((r) => r.seconds)).toFixed(4)),
    baseline_seconds: null,
    ratio: null,
    peak_rss_mb: Math.round(Math.max(...results.map((r) => r.maxRssKb)) / 1024),
    runs: RUNS,
  };
  process.stdout.write(JSON.stringify(quick ? { ...line, quick } : line) + "\n");
}

if (process.env.STRATA_DEPGRAPH_BENCH_CHILD === "1" && process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await measureOnce();
  process.stdout.write(JSON.stringify(r) + "\n");
}
