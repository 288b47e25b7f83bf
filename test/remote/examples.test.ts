// The examples built with remote execution on NativeLink and then from its cache: every layer the same tree as a
// local build, every portable phase (strata_phase) run remotely, then every one a cache hit.
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { RULES_LOAD, trees } from "../buck2/harness.js";
import { describeRemote, executorOf, repoRoot, useNativeLink, useRemoteProject, type Ran, type RemoteProject } from "./harness.js";

// every layer of the two examples' chains (the parents too, so each is compared)
const LAYERS = [
  "//base:shell",
  "//examples:base",
  "//examples:app",
  "//examples/genrule:_setup_foo",
  "//examples/genrule:_translate_foo",
  "//examples/genrule:foo",
];

const MARKER = `strata-remote-marker-${process.pid}`;
// host paths a genrule on the remote worker must not see: a file in /root, one in /tmp, and the engine's own directory
const HOST_PATHS = [`/root/${MARKER}`, `/tmp/${MARKER}`];

const FILES = {
  "rt/BUCK": `${RULES_LOAD}
image.layer(
    name = "probe_setup",
    parent_layer = "//base:shell",
    features = [feature.ensure_subdirs_exist(into_dir = "/", subdirs_to_create = "output", user = "nobody", group = "nogroup")],
)

# lists which of the paths (argv) it can see from inside its isolation
image.genrule_layer(
    name = "probe",
    parent_layer = ":probe_setup",
    rule_type = "probe",
    cmd = ["/bin/sh", "-c", 'for p in "$@"; do if [ -e "$p" ]; then echo "seen $p"; else echo "absent $p"; fi; done > /output/probe', "probe"] + read_config("rt", "paths", "").split(","),
)
`,
};

/** The strata_phase actions of a build: target and phase, with the executor. */
function phases(ran: Ran[]): Ran[] {
  return ran.filter((r) => r.category.startsWith("strata_phase "));
}

/** `buck2 clean`, then the working volume removed the way strata removes it (`strata clean`): a cold machine. */
async function coldMachine(project: RemoteProject): Promise<void> {
  const clean = await project.run(["clean"]);
  expect(clean.exitCode, String(clean.stderr)).toBe(0);
  const volume = join(project.root, "strata-out");
  execFileSync(process.execPath, [join(repoRoot, "bin", "strata.mjs"), "clean", "--working-volume", volume], { stdio: "pipe" });
  expect(existsSync(volume), "strata clean removes the working volume").toBe(false);
}

describeRemote("the examples with remote execution, then from the remote cache", () => {
  const nativelink = useNativeLink();
  const project = useRemoteProject(nativelink, FILES);
  let local: string[][] = [];

  beforeAll(() => {
    for (const p of HOST_PATHS) writeFileSync(p, "host secret\n");
  });
  afterAll(() => {
    for (const p of HOST_PATHS) rmSync(p, { force: true });
  });

  it("builds locally first (no mode: nothing remote), for the reference trees", async () => {
    const built = await project().build(LAYERS, "local");
    expect(built.ran.filter((r) => r.executor === "Re" || r.executor === "Cache")).toEqual([]);
    expect(phases(built.ran).length).toBeGreaterThan(0);
    local = trees(LAYERS.map((l) => built.outputs.of(l)));
  });

  it("execute mode on a cold machine: every strata_phase runs on NativeLink's worker, every layer is the local tree", async () => {
    expect(local.length, "needs the local build").toBe(LAYERS.length);
    await coldMachine(project());
    const built = await project().build(LAYERS, "execute");
    const ran = phases(built.ran);
    expect(ran.length).toBeGreaterThanOrEqual(LAYERS.length);
    expect(ran.filter((r) => r.executor !== "Re")).toEqual([]);
    // the local half of each phase: turning the diff into this machine's subvolume
    for (const r of ran) expect(executorOf(built.ran, r.target, r.category.replace("strata_phase", "strata_materialise"))).toMatch(/^(Worker|Local)$/);
    const remote = trees(LAYERS.map((l) => built.outputs.of(l)));
    LAYERS.forEach((l, i) => expect(remote[i], `${l}: remote build differs from the local one`).toEqual(local[i]));
  });

  it("cache mode on a cold machine again: every strata_phase is a cache hit, only materialisation runs, same trees", async () => {
    await coldMachine(project());
    const built = await project().build(LAYERS, "cache");
    const ran = phases(built.ran);
    expect(ran.length).toBeGreaterThanOrEqual(LAYERS.length);
    expect(ran.filter((r) => r.executor !== "Cache")).toEqual([]);
    expect(built.ran.filter((r) => r.executor === "Re")).toEqual([]);
    const cached = trees(LAYERS.map((l) => built.outputs.of(l)));
    LAYERS.forEach((l, i) => expect(cached[i], `${l}: the layer from cached diffs differs from the local one`).toEqual(local[i]));
  });

  it("a genrule layer run on the remote worker sees the image, not the host", async () => {
    const paths = [...HOST_PATHS, nativelink().dir, join(nativelink().dir, "nativelink.log")];
    for (const p of paths) expect(existsSync(p), `${p} exists on the host`).toBe(true);
    const built = await project().build(["//rt:probe"], "execute", ["-c", `rt.paths=${paths.join(",")},/bin/sh`]);
    expect(executorOf(built.ran, "//rt:probe", "strata_phase genrule")).toBe("Re");
    const probe = readFileSync(join(built.outputs.of("//rt:probe"), "output", "probe"), "utf8");
    // /bin/sh is the image's: the probe itself works
    expect(probe.trim().split("\n")).toEqual([...paths.map((p) => `absent ${p}`), "seen /bin/sh"]);
  });
});

