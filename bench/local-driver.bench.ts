// The local driver's edit loop against real Buck2's on the same project (issue 19 item 7). Needs root, Buck2
// (STRATA_BUCK2 or `buck2` on PATH) and, outside quick mode, [strata] debian_mirror. Each driver builds its own copy
// of the project (the same files) with its own working volume on one scratch btrfs volume; runs alternate between
// the drivers so that both see the same machine. Each prints one JSON line, a median over RUNS:
//   local_driver_noop_service    `strata local build` of the unchanged service image (a Debian base, the app in a
//                                child layer, an OCI archive and a tar) vs `buck2 build` of it; ratio local/buck2
//   local_driver_app_change      the same after a one-line change of the app's source; target ratio <= 1.5
//   local_driver_noop_examples   `strata local build //examples/...` unchanged (the Debian examples included) vs
//                                `buck2 build //examples/...`; target: seconds <= 1
// Quick mode (STRATA_BENCH_QUICK=1): one run, the service on the busybox example base, no //examples/..., no target
// checked (the figures mean nothing).
import { execa } from "execa";
import { cpSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { findTool, median, printResult, quick, repoRoot, runs, scratchBtrfs, settle, size } from "./lib.js";

const RUNS = runs(5);
const PROJECT_FILES = [".buckconfig", ".buckconfig.local", "BUCK", "prelude", "rules", "bin", "dist", "package.json", "base", "debian", "examples"];
const SERVICE = ["//svc:svc.oci.tar", "//svc:svc.tar"];
const EXAMPLES = ["//examples/..."];

function serviceBuck(parent: string): string {
  return `load("//rules:defs.bzl", "feature", "image", "package")

image.layer(
    name = "app",
    parent_layer = "${parent}",
    features = [
        feature.ensure_dirs_exist(dirs = "/srv/app"),
        feature.install(src = "app.py", dst = "/srv/app/app.py", mode = 0o755),
    ],
)

package.oci_archive(name = "svc.oci.tar", layer = ":app", cmd = ["/srv/app/app.py"])

package.tar(name = "svc.tar", layer = ":app")
`;
}

function app(version: number): string {
  return `#!/usr/bin/python3\nprint("hello from the app, version ${version}")\n`;
}

interface Driver {
  name: "local" | "buck2";
  root: string;
  build(targets: string[]): Promise<{ seconds: number; ran: number | undefined }>;
}

async function timed(cmd: string, args: string[], cwd: string, env: Record<string, string>): Promise<{ seconds: number; stderr: string }> {
  const t0 = process.hrtime.bigint();
  const r = await execa(cmd, args, { cwd, env: { ...process.env, ...env }, reject: false, stdin: "ignore" });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.exitCode !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.exitCode}) in ${cwd}:\n${String(r.stderr)}`);
  return { seconds, stderr: String(r.stderr) };
}

function project(root: string, parent: string): void {
  for (const f of PROJECT_FILES) if (existsSync(join(repoRoot, f))) cpSync(join(repoRoot, f), join(root, f), { recursive: true });
  // the driver's Python half is found beside the bundle, under packages/
  cpSync(join(repoRoot, "packages", "buck2-local"), join(root, "packages", "buck2-local"), { recursive: true, filter: (s) => !s.includes("node_modules") && !s.includes("/test") });
  symlinkSync(join(repoRoot, "node_modules"), join(root, "node_modules"));
  mkdirSync(join(root, "svc"));
  writeFileSync(join(root, "svc", "BUCK"), serviceBuck(parent));
  writeFileSync(join(root, "svc", "app.py"), app(0));
}

export default async function localDriverBenchmarks(): Promise<void> {
  const buck2 = findTool("STRATA_BUCK2", "buck2");
  if (buck2 === undefined) {
    process.stderr.write("local driver benchmarks skipped: no Buck2 to compare with (set STRATA_BUCK2 or put buck2 on PATH)\n");
    return;
  }
  const vol = scratchBtrfs(size(24, 8));
  const parent = size("//examples/debian:base", "//examples:base");
  const drivers: Driver[] = [];
  try {
    for (const name of ["local", "buck2"] as const) {
      const root = join(vol.mount, name);
      project(root, parent);
      // each its own working volume, outside the project (Buck2's file watcher need not see the layers)
      const env = { STRATA_WORKING_VOLUME: join(vol.mount, `strata-out-${name}`), STRATA_PROGRESS: "off" };
      drivers.push({
        name,
        root,
        build: async (targets) => {
          if (name === "buck2") return { seconds: (await timed(buck2, ["build", ...targets], root, env)).seconds, ran: undefined };
          const r = await timed("node", [join(root, "bin", "strata.mjs"), "local", "build", "--verbose", ...targets], root, env);
          const m = /actions: (\d+) ran, \d+ skipped/.exec(r.stderr);
          return { seconds: r.seconds, ran: m ? Number(m[1]) : undefined };
        },
      });
    }
    // each target set built once first: the local driver keeps an evaluation per set of patterns, as a user's
    // repeated command has (Buck2 keeps every evaluation in its daemon)
    const coldSeconds: Record<string, number> = {};
    for (const d of drivers) coldSeconds[d.name] = (await d.build(SERVICE)).seconds;
    if (!quick) for (const d of drivers) coldSeconds[`${d.name}_examples`] = (await d.build(EXAMPLES)).seconds;

    const noop: Record<string, number[]> = { local: [], buck2: [] };
    const change: Record<string, number[]> = { local: [], buck2: [] };
    const changeRan: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      for (const d of drivers) {
        settle();
        const r = await d.build(SERVICE);
        if (r.ran !== undefined && r.ran !== 0) throw new Error(`the local driver ran ${r.ran} actions in a no-op build`);
        noop[d.name]!.push(r.seconds);
      }
      for (const d of drivers) {
        writeFileSync(join(d.root, "svc", "app.py"), app(i + 1));
        settle();
        const r = await d.build(SERVICE);
        if (r.ran !== undefined) changeRan.push(r.ran);
        change[d.name]!.push(r.seconds);
      }
    }
    const line = (name: string, xs: Record<string, number[]>, params: Record<string, unknown>) => {
      const local = median(xs["local"]!);
      const b = median(xs["buck2"]!);
      printResult({
        name,
        params: { ...params, local_runs_seconds: xs["local"]!.map((x) => Math.round(x * 1000) / 1000), buck2_runs_seconds: xs["buck2"]!.map((x) => Math.round(x * 1000) / 1000) },
        seconds: local,
        baseline_seconds: b,
        ratio: local / b,
        peak_rss_mb: 0,
        runs: RUNS,
      });
    };
    const service = `${SERVICE.join(" ")}: an app layer (one file) on ${parent}, an OCI archive and a tar`;
    line("local_driver_noop_service", noop, {
      subject: `strata local build (node bin/strata.mjs) of the unchanged ${service}`,
      baseline: "buck2 build of the same targets in a copy of the same project, daemon running",
      ratio_meaning: "local/buck2",
      cold_seconds: coldSeconds,
    });
    line("local_driver_app_change", change, {
      subject: "the same after a one-line change of svc/app.py (the app layer, its OCI blob and archive, the tar rebuilt)",
      baseline: "buck2 build after the same change",
      ratio_meaning: "local/buck2; target <= 1.5",
      local_actions_ran: changeRan,
    });
    if (!quick) {
      const examples: Record<string, number[]> = { local: [], buck2: [] };
      for (let i = 0; i < RUNS; i++) {
        for (const d of drivers) {
          settle();
          const r = await d.build(EXAMPLES);
          if (r.ran !== undefined && r.ran !== 0) throw new Error(`the local driver ran ${r.ran} actions in a no-op build of //examples/...`);
          examples[d.name]!.push(r.seconds);
        }
      }
      line("local_driver_noop_examples", examples, {
        subject: "strata local build //examples/... unchanged (Debian examples included)",
        baseline: "buck2 build //examples/..., daemon running",
        ratio_meaning: "local/buck2; target: seconds <= 1",
      });
    }
  } finally {
    for (const d of drivers) if (d.name === "buck2") await execa(buck2, ["kill"], { cwd: d.root, reject: false });
    vol.cleanup();
  }
}
