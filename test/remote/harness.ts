// Real Buck2 against a real NativeLink (remote cache and remote execution), for test/remote/.
//
//   describeRemote("my case", () => {
//     const nativelink = useNativeLink();                      // started beforeAll on free ports, stopped afterAll
//     const project = useRemoteProject(nativelink, { "x/BUCK": "..." });   // a copy of the project pointed at it
//     it("...", async () => {
//       const built = await project().build(["//x:y"], "execute");          // --config-file remote/execute.buckconfig
//       expect(executorOf(built.ran, "//x:y", "genrule")).toBe("Re");
//     });
//   });
//
// NativeLink is STRATA_NATIVELINK (.ci/run points it at ../shared/tools/nativelink) or `nativelink` on PATH; Buck2 as
// in test/buck2/harness.ts. Without them the suite is skipped with the reason, except under CI=true, where a missing
// binary fails the suite: remote execution must not drop out of CI unnoticed.
import { execa } from "execa";
import { accessSync, appendFileSync, constants, existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { delimiter, join } from "node:path";
import { afterAll, beforeAll, describe, inject, it } from "vitest";
import { checkBuck2Works, copyProject, findBuck2, makeCopy, Outputs, repoRoot, type Copy } from "../buck2/harness.js";
import { freshBtrfsDir } from "../helpers/volume.js";

/** Where NativeLink is, or why the suite cannot run. */
export function findNativeLink(): { bin: string | null; reason: string } {
  const explicit = process.env.STRATA_NATIVELINK;
  if (explicit !== undefined && explicit !== "") return { bin: explicit, reason: "STRATA_NATIVELINK" };
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    const candidate = join(dir, "nativelink");
    try {
      accessSync(candidate, constants.X_OK);
      return { bin: candidate, reason: "PATH" };
    } catch {
      /* next */
    }
  }
  return { bin: null, reason: "no NativeLink: set STRATA_NATIVELINK to a nativelink binary or put nativelink on PATH" };
}

/** Why the remote suites cannot run here, or null. */
function missing(): string | null {
  const buck2 = findBuck2();
  if (buck2.bin === null) return buck2.reason;
  const nativelink = findNativeLink();
  if (nativelink.bin === null) return nativelink.reason;
  if (inject("btrfsRoot") === null) return inject("btrfsUnavailableReason");
  return null;
}

/** describe() for suites that need Buck2, NativeLink and the btrfs volume: skipped with the reason, failed under CI=true. */
export const describeRemote = (name: string, fn: () => void): void => {
  const reason = missing();
  if (reason === null) describe(name, fn);
  else if (process.env.CI === "true")
    describe(name, () => {
      it("has Buck2, NativeLink and btrfs (CI=true: this suite may not be skipped)", () => {
        throw new Error(`CI=true but the remote suite cannot run: ${reason}`);
      });
    });
  else describe.skip(`${name} (skipped: ${reason})`, fn);
};

/** A free TCP port on the loopback (closed again at once; NativeLink binds it a moment later). */
export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolvePort(address.port) : reject(new Error("no port"))));
    });
  });
}

export interface NativeLink {
  /** its directory: stores (cas/, ac/), work/, nativelink.log */
  dir: string;
  port: number;
  /** grpc://127.0.0.1:PORT */
  address: string;
  /** runs scripts/nativelink.sh with the arguments; rejects on a non-zero exit */
  script(args: string[]): Promise<string>;
  /** the log so far (for failure messages) */
  log(): string;
}

/** Starts NativeLink (scripts/nativelink.sh) on free ports with its stores in a fresh directory; stops it afterAll. */
export function useNativeLink(): () => NativeLink {
  let nl: NativeLink | null = null;
  beforeAll(async () => {
    const { bin } = findNativeLink();
    if (bin === null) throw new Error("useNativeLink: no NativeLink (use describeRemote)");
    // on the btrfs test volume: the worker's action directories are where remote phases build
    const dir = freshBtrfsDir("nativelink-");
    const [port, workerPort] = [await freePort(), await freePort()];
    const script = async (args: string[]): Promise<string> => {
      const r = await execa("bash", [join(repoRoot, "scripts", "nativelink.sh"), ...args, "--dir", dir], {
        reject: false,
        env: { STRATA_NATIVELINK: bin },
      });
      if (r.exitCode !== 0) throw new Error(`nativelink.sh ${args.join(" ")} failed (exit ${r.exitCode}):\n${r.stdout}\n${r.stderr}`);
      return r.stdout;
    };
    const log = (): string => (existsSync(join(dir, "nativelink.log")) ? readFileSync(join(dir, "nativelink.log"), "utf8") : "");
    nl = { dir, port, address: `grpc://127.0.0.1:${port}`, script, log };
    await script(["start", "--port", String(port), "--worker-port", String(workerPort)]);
  });
  afterAll(async () => {
    await nl?.script(["stop"]);
  });
  return () => {
    if (nl === null) throw new Error("useNativeLink: NativeLink is started in beforeAll");
    return nl;
  };
}

export type RemoteMode = "local" | "cache" | "execute";

/** One command Buck2 ran (or took from the cache), from `buck2 log what-ran --format json`. */
export interface Ran {
  /** `root//pkg:name` */
  target: string;
  /** the action's category and identifier, as `buck2 log what-ran` shows them: `genrule`, `strata_compile compile` */
  category: string;
  /** Buck2's executor: `Re` (remote), `Cache` (action cache hit), `Local`, `Worker`, `WorkerInit` */
  executor: string;
  /** the action digest, for Re and Cache */
  digest: string | null;
}

export interface Built {
  outputs: Outputs;
  ran: Ran[];
  stderr: string;
}

export interface RemoteProject extends Copy {
  /** `buck2 build TARGETS --show-output` in the mode (none for "local"); fails with Buck2's stderr and NativeLink's log */
  build(targets: string[], mode: RemoteMode, extra?: string[]): Promise<Built>;
  /** what the last command ran */
  whatRan(): Promise<Ran[]>;
}

export function parseWhatRan(stdout: string): Ran[] {
  const ran: Ran[] = [];
  for (const line of stdout.split("\n")) {
    if (!line.startsWith("{")) continue;
    const record = JSON.parse(line) as { identity: string; reproducer: { executor: string; details: { digest?: string } } };
    const m = /^(\S+) \([^)]*\) \((.*)\)$/.exec(record.identity);
    if (m === null) throw new Error(`what-ran: unexpected identity ${record.identity}`);
    ran.push({ target: m[1]!, category: m[2]!, executor: record.reproducer.executor, digest: record.reproducer.details.digest ?? null });
  }
  return ran;
}

/** The executor of `target`'s action of `category` (WorkerInit records left out); fails unless there is exactly one. */
export function executorOf(ran: Ran[], target: string, category: string): string {
  const full = target.startsWith("root//") ? target : `root${target}`;
  const hits = ran.filter((r) => r.target === full && r.category === category && r.executor !== "WorkerInit");
  if (hits.length !== 1)
    throw new Error(`expected one ${category} action of ${full}, found ${hits.length} in:\n${ran.map((r) => `${r.target} (${r.category}) ${r.executor}`).join("\n")}`);
  return hits[0]!.executor;
}

/**
 * A copy of the project (made beforeAll, daemon killed afterAll) whose .buckconfig.local points [buck2_re_client] at
 * `nativelink`: the daemon reads that section only when it starts, from the project's files, so it is written before
 * the first command, as a user does (docs/remote.md).
 */
export function useRemoteProject(nativelink: () => NativeLink, files: Record<string, string> = {}): () => RemoteProject {
  let project: RemoteProject | null = null;
  beforeAll(async () => {
    const copy = makeCopy(copyProject("remote-"), await checkBuck2Works(), []);
    for (const [rel, text] of Object.entries(files)) copy.write(rel, text);
    const { address } = nativelink();
    appendFileSync(
      join(copy.root, ".buckconfig.local"),
      `\n[buck2_re_client]\n  engine_address = ${address}\n  action_cache_address = ${address}\n  cas_address = ${address}\n  tls = false\n  instance_name = main\n`,
    );
    const whatRan = async (): Promise<Ran[]> => {
      const r = await copy.run(["log", "what-ran", "--format", "json"]);
      if (r.exitCode !== 0) throw new Error(`buck2 log what-ran failed:\n${String(r.stderr)}`);
      return parseWhatRan(String(r.stdout));
    };
    project = {
      ...copy,
      whatRan,
      async build(targets, mode, extra = []) {
        const modeArgs = mode === "local" ? [] : ["--config-file", `remote/${mode}.buckconfig`];
        const r = await copy.run(["build", ...modeArgs, ...extra, ...targets, "--show-output"]);
        if (r.exitCode !== 0)
          throw new Error(`buck2 build (${mode}) ${targets.join(" ")} failed (exit ${r.exitCode}):\n${String(r.stderr)}\n--- nativelink.log (end):\n${nativelink().log().slice(-4000)}`);
        return { outputs: Outputs.parse(String(r.stdout), copy.root), ran: await whatRan(), stderr: String(r.stderr) };
      },
    };
  });
  afterAll(async () => {
    await project?.run(["kill"]);
  });
  return () => {
    if (project === null) throw new Error("useRemoteProject: the copy is made in beforeAll");
    return project;
  };
}

export { repoRoot };
