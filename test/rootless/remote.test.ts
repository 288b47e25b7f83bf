// Remote execution rootless: a NativeLink started by an ordinary user runs the portable strata_phase actions (its
// worker is that user, so each action enters strata's namespace itself), Buck2 runs inside `strata unshare`, and the
// layer's facts equal a local build's.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { findBuck2 } from "../buck2/harness.js";
import { describeRemote, findNativeLink } from "../remote/harness.js";
import { checkout, ensureUser, removeCheckout, ROOTLESS_USER, runAs, strataAs, type TestUser } from "./helpers.js";

const nativelink = findNativeLink().bin;

describeRemote("rootless: remote execution on a NativeLink run by an ordinary user", () => {
  let user: TestUser;
  let co: { dir: string; env: Record<string, string> };
  const port = 51000 + (process.pid % 400) * 2;
  const nlDir = (): string => join(co.dir, ".nativelink");
  const buck2 = (args: string[]) => strataAs(user, co, ["unshare", "--", findBuck2().bin!, ...args]);
  const nl = (verb: string, extra: string[] = []) => runAs(user, co.dir, ["bash", "scripts/nativelink.sh", verb, "--dir", nlDir(), ...extra], { STRATA_NATIVELINK: nativelink! });
  /** the facts export `--show-output` names */
  const facts = (stdout: string): string => readFileSync(join(co.dir, /^root\/\/examples:app\[facts\] (\S+)$/m.exec(stdout)![1]!), "utf8");

  beforeAll(async () => {
    user = ensureUser(ROOTLESS_USER, true);
    co = checkout(join(user.home, "checkouts"), user);
    const conf = readFileSync(join(co.dir, "remote/nativelink.buckconfig"), "utf8").replaceAll(":50051", `:${port}`);
    writeFileSync(join(co.dir, "remote/rootless-test.buckconfig"), conf);
    writeFileSync(join(co.dir, ".buckconfig.local"), `${readFileSync(join(co.dir, ".buckconfig.local"), "utf8")}\n<file:remote/rootless-test.buckconfig>\n`);
    const s = await nl("start", ["--port", String(port)]);
    expect(s.exitCode, s.stderr).toBe(0);
  }, 300_000);

  afterAll(async () => {
    if (co === undefined) return;
    await buck2(["kill"]);
    await nl("stop");
    await removeCheckout(co, user);
  });

  it("the portable phases run on the user's NativeLink worker; the facts equal a local build's", async () => {
    const b = await buck2(["build", "--config-file", "remote/execute.buckconfig", "//examples:app", "//examples:app[facts]", "--show-output"]);
    expect(b.exitCode, b.stderr.slice(-3000)).toBe(0);
    const ran = await buck2(["log", "what-ran"]);
    expect(ran.stdout).toMatch(/\tre\(/);
    const remote = facts(b.stdout);
    expect(remote).toMatch(/"path":"\/etc\/app\/app.conf"[^\n]*"uid":1500/);
    await buck2(["clean"]);
    await strataAs(user, co, ["clean"]);
    const l = await buck2(["build", "//examples:app[facts]", "--show-output"]);
    expect(l.exitCode, l.stderr.slice(-3000)).toBe(0);
    expect(facts(l.stdout)).toBe(remote);
  }, 900_000);
});
