// Real Buck2 with a real NativeLink: what runs remotely, what comes from the action cache, what stays here.
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { RULES_LOAD, tree } from "../buck2/harness.js";
import { describeRemote, executorOf, useNativeLink, useRemoteProject } from "./harness.js";

// A test-only package: a prelude genrule (a plain command) and a layer, whose build phase is a runner action offered
// to the toolchain's persistent worker (strata_phase, portable) followed by a local_only materialisation.
// `-c rt.salt=S` gives every action a fresh digest, so each test starts from actions the cache has never seen.
const FILES = {
  "rt/BUCK": `${RULES_LOAD}
SALT = read_config("rt", "salt", "none")

genrule(
    name = "hello",
    out = "hello.txt",
    # the directory it ran in: NativeLink's action directory when it ran there
    bash = "echo hello " + SALT + " > $OUT; pwd >> $OUT",
)

image.layer(name = "layer", features = [
    feature.ensure_dirs_exist(dirs = "/etc/b"),
    feature.ensure_dirs_exist(dirs = "/etc/a/" + SALT),
])
`,
};

const TARGETS = ["//rt:hello", "//rt:layer"];

describeRemote("Buck2 with NativeLink: remote execution and the remote cache", () => {
  const nativelink = useNativeLink();
  const project = useRemoteProject(nativelink, FILES);
  let remoteHello: string | null = null;

  it("execute mode: plain and runner (persistent-worker) actions run on NativeLink's worker, local_only ones here", async () => {
    const built = await project().build(TARGETS, "execute", ["-c", "rt.salt=first"]);
    expect(executorOf(built.ran, "//rt:hello", "genrule")).toBe("Re");
    // the layer's phase offers Buck2 the runner's persistent worker; remotely it ran as the plain command
    // `node bin/strata.mjs phase ...`. Turning its diff into this machine's subvolume is local_only.
    expect(executorOf(built.ran, "//rt:layer", "strata_phase compile")).toBe("Re");
    expect(executorOf(built.ran, "//rt:layer", "strata_materialise compile")).toBe("Worker");

    remoteHello = readFileSync(built.outputs.of("//rt:hello"), "utf8");
    expect(remoteHello.split("\n")[0]).toBe("hello first");
    expect(remoteHello.split("\n")[1]).toMatch(new RegExp(`^${nativelink().dir}/work/`));
    expect(tree(built.outputs.of("//rt:layer"))).toEqual(["/ d 0o755 0:0 0", "/etc d 0o755 0:0 0", "/etc/a d 0o755 0:0 0", "/etc/a/first d 0o755 0:0 0", "/etc/b d 0o755 0:0 0"]);
  });

  it("cache mode, after buck2 clean: the remotely run actions are cache hits, local_only ones run here again", async () => {
    expect(remoteHello, "needs the execute-mode test before it").not.toBeNull();
    expect((await project().run(["clean"])).exitCode).toBe(0);
    const built = await project().build(TARGETS, "cache", ["-c", "rt.salt=first"]);
    expect(executorOf(built.ran, "//rt:hello", "genrule")).toBe("Cache");
    expect(executorOf(built.ran, "//rt:layer", "strata_phase compile")).toBe("Cache");
    // never uploaded (allow_cache_upload = False): the subvolume symlink means something on this machine only
    expect(executorOf(built.ran, "//rt:layer", "strata_materialise compile")).toBe("Worker");
    expect(built.ran.filter((r) => r.executor === "Re")).toEqual([]);
    // the bytes the worker produced
    expect(readFileSync(built.outputs.of("//rt:hello"), "utf8")).toBe(remoteHello);
  });

  it("cache mode: what runs here is uploaded; after buck2 clean it is a hit, with or without the persistent worker", async () => {
    const salt = ["-c", "rt.salt=second"];
    const first = await project().build(TARGETS, "cache", salt);
    expect(executorOf(first.ran, "//rt:hello", "genrule")).toBe("Local");
    expect(executorOf(first.ran, "//rt:layer", "strata_phase compile")).toBe("Worker");
    const layer = tree(first.outputs.of("//rt:layer"));

    expect((await project().run(["clean"])).exitCode).toBe(0);
    // the action digest is the command Buck2 would run without the worker, so both ways share cache entries
    const again = await project().build(TARGETS, "cache", [...salt, "-c", "strata.persistent_workers=false"]);
    expect(executorOf(again.ran, "//rt:hello", "genrule")).toBe("Cache");
    expect(executorOf(again.ran, "//rt:layer", "strata_phase compile")).toBe("Cache");
    expect(executorOf(again.ran, "//rt:layer", "strata_materialise compile")).toBe("Local");
    expect(tree(again.outputs.of("//rt:layer"))).toEqual(layer);
  });

  it("no mode: local only, the cache is neither read nor written", async () => {
    expect((await project().run(["clean"])).exitCode).toBe(0);
    // actions the cache holds (from the tests above) run here all the same
    const built = await project().build(TARGETS, "local", ["-c", "rt.salt=first"]);
    expect(executorOf(built.ran, "//rt:hello", "genrule")).toBe("Local");
    expect(executorOf(built.ran, "//rt:layer", "strata_phase compile")).toBe("Worker");
    expect(built.ran.filter((r) => r.executor === "Re" || r.executor === "Cache")).toEqual([]);
    expect(readFileSync(built.outputs.of("//rt:hello"), "utf8").split("\n")[1]).not.toContain(nativelink().dir);
  });

  it("scripts/nativelink.sh status reports the running server, and a second start leaves it alone", async () => {
    expect(await nativelink().script(["status"])).toMatch(new RegExp(`^nativelink running \\(pid \\d+\\) on grpc://127\\.0\\.0\\.1:${nativelink().port}`));
    expect(await nativelink().script(["start", "--port", String(nativelink().port)])).toMatch(/^nativelink already running/);
  });
});
