// The persistent worker: requests are independent (arguments, environment, directory, output), a failure of any
// kind fails only its own request, cancellation and timeouts are honoured, and the served protocol is Buck2's.
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CommandModule } from "yargs";
import { StrataError } from "../../src/errors.js";
import { requestCwd, requestEnv, requestStderr, requestStdout, throwIfCancelled } from "../../src/request-context.js";
import { connectWorker, startWorker, type StartedWorker, type WorkerClient } from "../../src/worker/client.js";
import { workerCommands } from "../../src/commands.js";
import { executeRequest, type CommandLoader } from "../../src/worker/execute.js";
import { socketAddress, workerPackage, type ExecuteResponse } from "../../src/worker/protocol.js";
import { serveWorker, type WorkerServer } from "../../src/worker/server.js";
import { repoRoot } from "../runner/helpers.js";

const tick = () => new Promise((r) => setTimeout(r, 5));

/** test commands: each is a real yargs command module, run exactly as the worker runs compile */
let cancelledSeen = 0;
const cmd = (name: string, handler: (argv: Record<string, unknown>) => Promise<void>): CommandLoader =>
  async () => ({ command: `${name} [word]`, describe: name, handler }) as unknown as CommandModule<object, never>;
const TEST_COMMANDS: Record<string, CommandLoader> = {
  ...workerCommands(),
  probe: cmd("probe", async (argv) => {
    // several awaits between reads: another request running meanwhile must not leak into this one
    for (let i = 0; i < 5; i++) await tick();
    requestStdout().write(`cwd=${requestCwd()} x=${requestEnv().PROBE_X} word=${String(argv.word)}\n`);
    requestStderr().write(`stderr of ${String(argv.word)}\n`);
  }),
  fail: cmd("fail", async () => {
    await tick();
    throw new StrataError({ label: "//t:fail", message: "the features are wrong", expected: "right ones", found: "wrong ones" });
  }),
  bug: cmd("bug", async () => {
    await tick();
    throw new TypeError("a bug in a command");
  }),
  "throw-later": cmd("throw-later", async () => {
    // thrown from a timer: outside the handler's promise chain, an uncaught exception of the process
    setTimeout(() => {
      throw new Error("thrown from a timer");
    }, 1);
    await new Promise(() => {}); // never settles by itself
  }),
  "stray-rejection": cmd("stray-rejection", async () => {
    void Promise.reject(new Error("a rejection nobody handles"));
    await new Promise(() => {});
  }),
  sleep: cmd("sleep", async () => {
    try {
      for (;;) {
        await tick();
        throwIfCancelled();
      }
    } catch (e) {
      cancelledSeen++;
      throw e;
    }
  }),
};

describe("executeRequest (in process)", () => {
  it("runs concurrent requests each with its own arguments, environment, directory and output", async () => {
    const reqs = ["/a", "/b", "/c"].map((cwd, i) =>
      executeRequest({ argv: ["probe", `w${i}`], env: { PROBE_X: `x${i}` }, cwd }, TEST_COMMANDS),
    );
    const rs = await Promise.all(reqs);
    rs.forEach((r, i) => {
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toBe(`cwd=${["/a", "/b", "/c"][i]} x=x${i} word=w${i}\n`);
      expect(r.stderr).toBe(`stderr of w${i}\n`);
    });
    // and none of it touched the process
    expect(process.env.PROBE_X).toBeUndefined();
  });

  it("builds two layers at once from different directories and SOURCE_DATE_EPOCHs", async () => {
    const dirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), "strata-worker-compile-")));
    for (const [i, dir] of dirs.entries()) {
      writeFileSync(
        join(dir, "features.json"),
        JSON.stringify([
          { type: "ensure_dirs_exist", label: `//t:l${i}`, dirs: "/etc/app" },
          { type: "install_text", label: `//t:l${i}`, text: `layer ${i}\n`, dst: "/etc/app/which.txt" },
        ]),
      );
    }
    const rs = await Promise.all(
      dirs.map((cwd, i) =>
        executeRequest(
          { argv: ["compile", "--label", `//t:l${i}`, "--phase", "compile", "--features", "features.json", "--out", "out"], env: { STRATA_BACKEND: "copy", SOURCE_DATE_EPOCH: String(1000 + i) }, cwd },
          workerCommands(),
        ),
      ),
    );
    for (const [i, dir] of dirs.entries()) {
      expect(rs[i]!.stderr).toBe("");
      expect(rs[i]!.exitCode).toBe(0);
      // relative paths resolved against each request's own directory, its working volume under it
      expect(readlinkSync(join(dir, "out")).startsWith(join(dir, "strata-out"))).toBe(true);
      expect(readFileSync(join(dir, "out", "etc/app/which.txt"), "utf8")).toBe(`layer ${i}\n`);
      expect(lstatSync(join(dir, "out", "etc/app/which.txt")).mtimeMs).toBe((1000 + i) * 1000);
    }
  });

  it("answers a user error with its error: text and exit 1, a bug with exit 2, never ending the process", async () => {
    const [bad, bug, ok] = await Promise.all([
      executeRequest({ argv: ["fail"], env: {}, cwd: "/" }, TEST_COMMANDS),
      executeRequest({ argv: ["bug"], env: {}, cwd: "/" }, TEST_COMMANDS),
      executeRequest({ argv: ["probe", "ok"], env: {}, cwd: "/" }, TEST_COMMANDS),
    ]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toMatch(/^error: .*the features are wrong/);
    expect(bug.exitCode).toBe(2);
    expect(bug.stderr).toMatch(/^error: internal error in strata: a bug in a command/);
    expect(ok.exitCode).toBe(0);
  });

  it("rejects bad command lines and commands the worker does not serve", async () => {
    const missing = await executeRequest({ argv: ["compile", "--label", "//x:y"], env: {}, cwd: "/" }, workerCommands());
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toMatch(/^error: Missing required arguments/);
    const shell = await executeRequest({ argv: ["shell", "--layer", "x"], env: {}, cwd: "/" }, workerCommands());
    expect(shell.exitCode).toBe(1);
    expect(shell.stderr).toMatch(/^error: the worker does not serve `strata shell`; it serves compile, phase, materialise, depgraph, facts\n/);
  });

  it("stops a request when the caller cancels it", async () => {
    const abort = new AbortController();
    const before = cancelledSeen;
    const pending = executeRequest({ argv: ["sleep"], env: {}, cwd: "/", signal: abort.signal }, TEST_COMMANDS);
    await tick();
    abort.abort();
    const r = await pending;
    expect(r.cancelled).toBe(true);
    expect(r.exitCode).not.toBe(0);
    await new Promise((res) => setTimeout(res, 50));
    expect(cancelledSeen).toBe(before + 1); // the command itself saw the cancellation and stopped
  });

  it("stops a request at its timeout and says so", async () => {
    const r = await executeRequest({ argv: ["sleep"], env: {}, cwd: "/", timeoutMs: 20 }, TEST_COMMANDS);
    expect(r.timedOutAfterMs).toBe(20);
    expect(r.stderr).toMatch(/error: strata sleep timed out after 20 ms/);
  });
});

describe("the gRPC worker (Buck2's protocol)", () => {
  let server: WorkerServer;
  let client: WorkerClient;
  const dir = mkdtempSync(join(tmpdir(), "strata-worker-grpc-"));
  const socket = join(dir, "socket");
  const logLines: string[] = [];

  beforeAll(async () => {
    server = await serveWorker(socket, { env: { PROBE_X: "from-start" }, cwd: "/start", commands: TEST_COMMANDS, log: (l) => logLines.push(l) });
    client = connectWorker(socket);
  });
  afterAll(async () => {
    client.close();
    await server.close();
  });

  it("serves Worker.Execute: argv and env entries per request, over the worker's own environment", async () => {
    const [a, b, c] = await Promise.all([
      client.execute(["probe", "one"], { PROBE_X: "1" }),
      client.execute(["probe", "two"], { PROBE_X: "2" }),
      client.execute(["probe", "three"], {}),
    ]);
    expect(a).toEqual({ exit_code: 0, stderr: "cwd=/start x=1 word=one\nstderr of one\n" });
    expect(b!.stderr).toContain("x=2 word=two");
    expect(c!.stderr).toContain("x=from-start word=three");
  });

  it("fails only the request that crashed (thrown error, error from a timer, stray rejection) and keeps serving", async () => {
    const rs = await Promise.all([
      client.execute(["bug"], {}),
      client.execute(["throw-later"], {}),
      client.execute(["probe", "beside"], {}),
      client.execute(["stray-rejection"], {}),
      client.execute(["fail"], {}),
    ]);
    expect(rs.map((r) => r.exit_code)).toEqual([2, 2, 0, 2, 1]);
    expect(rs[1]!.stderr).toMatch(/internal error in strata: thrown from a timer/);
    expect(rs[3]!.stderr).toMatch(/internal error in strata: a rejection nobody handles/);
    const after = await client.execute(["probe", "after"], {});
    expect(after.exit_code).toBe(0);
  });

  it("answers timeout_s with timed_out_after_s", async () => {
    const r = await client.execute(["sleep"], {}, { timeoutS: 1 });
    expect(r.timed_out_after_s).toBe(1);
    expect(r.exit_code).not.toBe(0);
  });

  it("stops the command when the client cancels the call", async () => {
    const abort = new AbortController();
    const before = cancelledSeen;
    const call = client.execute(["sleep"], {}, { signal: abort.signal });
    await new Promise((r) => setTimeout(r, 100));
    abort.abort();
    await expect(call).rejects.toMatchObject({ code: grpc.status.CANCELLED });
    for (let i = 0; i < 100 && cancelledSeen === before; i++) await tick();
    expect(cancelledSeen).toBe(before + 1);
    expect((await client.execute(["probe", "next"], {})).exit_code).toBe(0);
  });

  it("serves Worker.Exec (command, then cancel) and WorkerStreaming.ExecuteStream", async () => {
    const pkg = workerPackage().worker;
    const raw = new pkg.Worker(socketAddress(socket), grpc.credentials.createInsecure()) as unknown as {
      Exec(cb: (e: grpc.ServiceError | null, r?: ExecuteResponse) => void): grpc.ClientWritableStream<object>;
      close(): void;
    };
    const done = new Promise<ExecuteResponse>((res, rej) => {
      const s = raw.Exec((e, r) => (e ? rej(e) : res(r!)));
      s.write({ command: { argv: [Buffer.from("sleep")], env: [] } });
      setTimeout(() => s.write({ cancel: {} }), 50);
    });
    const r = await done;
    expect(r.exit_code).not.toBe(0);
    expect(r.stderr).toMatch(/was cancelled/);
    raw.close();

    const streaming = new pkg.WorkerStreaming(socketAddress(socket), grpc.credentials.createInsecure()) as unknown as {
      ExecuteStream(): grpc.ClientDuplexStream<object, { id: number; response: ExecuteResponse }>;
      close(): void;
    };
    const s = streaming.ExecuteStream();
    const got: { id: number; response: ExecuteResponse }[] = [];
    const ended = new Promise<void>((res) => s.on("end", () => res()));
    s.on("data", (m) => got.push(m));
    s.write({ id: 7, request: { argv: [Buffer.from("probe"), Buffer.from("s7")], env: [] } });
    s.write({ id: 8, request: { argv: [Buffer.from("fail")], env: [] } });
    s.end();
    await ended;
    streaming.close();
    expect(got.map((m) => [m.id, m.response.exit_code]).sort()).toEqual([
      [7, 0],
      [8, 1],
    ]);
  });

  it("logs one line per request", () => {
    expect(logLines.some((l) => /request \d+ \(probe\) exit 0/.test(l))).toBe(true);
  });
});

describe("`strata worker` (the runner binary)", () => {
  let worker: StartedWorker;
  beforeAll(async () => {
    worker = await startWorker(["node", join(repoRoot, "bin", "strata.mjs")], { cwd: mkdtempSync(join(tmpdir(), "strata-worker-bin-")), env: { ...process.env } as Record<string, string> });
  });
  afterAll(async () => worker?.stop());

  it("builds a layer and reports a bad features file as its action's error", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "strata-worker-bin-req-"));
    mkdirSync(join(cwd, "p"));
    writeFileSync(join(cwd, "p", "f.json"), JSON.stringify([{ type: "ensure_dirs_exist", label: "//p:l", dirs: "/x/y" }]));
    writeFileSync(join(cwd, "p", "bad.json"), "[{]");
    const [ok, bad] = await Promise.all([
      worker.client.execute(["compile", "--label", "//p:l", "--phase", "compile", "--features", join(cwd, "p/f.json"), "--out", join(cwd, "p/out")], { STRATA_BACKEND: "copy", STRATA_WORKING_VOLUME: join(cwd, "wv") }),
      worker.client.execute(["compile", "--label", "//p:bad", "--phase", "compile", "--features", join(cwd, "p/bad.json"), "--out", join(cwd, "p/bad-out")], { STRATA_BACKEND: "copy" }),
    ]);
    expect(ok).toEqual({ exit_code: 0, stderr: "" });
    expect(lstatSync(join(cwd, "p/out/x/y")).isDirectory()).toBe(true);
    expect(bad!.exit_code).toBe(1);
    expect(bad!.stderr).toMatch(/^error: .*\/\/p:bad/);
    expect(worker.log()).toMatch(/serving on/);
  });

  it("fails with an error: line when there is no socket to serve on", async () => {
    const { execa } = await import("execa");
    const env = { ...process.env };
    delete env.WORKER_SOCKET;
    const r = await execa("node", [join(repoRoot, "bin", "strata.mjs"), "worker"], { env, extendEnv: false, reject: false });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^error: .*no socket to serve on/);
  });
});

describe("the protobuf wire format of the worker's messages", () => {
  it("encodes ExecuteCommand and ExecuteResponse as protobuf does, and reads them back", async () => {
    const { codec } = await import("../../src/worker/protocol.js");
    const cmd = { argv: [Buffer.from("a")], env: [{ key: Buffer.from("K"), value: Buffer.from("V") }], timeout_s: 5 };
    // field 1 bytes "a"; field 2 message {1: "K", 2: "V"}; field 3 varint 5
    const wire = Buffer.from([0x0a, 0x01, 0x61, 0x12, 0x06, 0x0a, 0x01, 0x4b, 0x12, 0x01, 0x56, 0x18, 0x05]);
    expect(codec.writeCommand(cmd)).toEqual(wire);
    expect(codec.readCommand(wire)).toEqual(cmd);
    // an int32 of -1 is a ten-byte varint; proto3 leaves out a zero exit code and an empty stderr
    const neg = Buffer.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(codec.writeResponse({ exit_code: -1, stderr: "" })).toEqual(neg);
    expect(codec.readResponse(neg)).toEqual({ exit_code: -1, stderr: "" });
    expect(codec.writeResponse({ exit_code: 0, stderr: "" })).toEqual(Buffer.alloc(0));
    const r = { exit_code: 1, stderr: "error: é\n", timed_out_after_s: 300 };
    expect(codec.readResponse(codec.writeResponse(r))).toEqual(r);
    // unknown fields (a newer Buck2) are skipped
    expect(codec.readCommand(Buffer.concat([wire, Buffer.from([0x20, 0x01, 0x2a, 0x00])]))).toEqual(cmd);
    expect(codec.readEvent(codec.writeEvent({ cancel: {} }))).toEqual({ cancel: {} });
    expect(codec.readEvent(codec.writeEvent({ command: cmd }))).toEqual({ command: cmd });
  });
});
