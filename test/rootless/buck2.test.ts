// Real Buck2 as an ordinary user: `strata unshare -- buck2 ...` runs the daemon inside strata's namespace (its file
// watcher follows the layer symlinks in buck-out into directories only the namespace can read), and the actions,
// the persistent `strata worker` among them, run there too. Builds, image tests and [container] work.
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeBuck2, findBuck2 } from "../buck2/harness.js";
import { checkout, ensureUser, removeCheckout, ROOTLESS_USER, strataAs, type TestUser } from "./helpers.js";

describeBuck2("rootless: real Buck2 as an ordinary user", () => {
  let user: TestUser;
  let co: { dir: string; env: Record<string, string> };
  const buck2 = (args: string[]) => strataAs(user, co, ["unshare", "--", findBuck2().bin!, ...args]);

  beforeAll(() => {
    user = ensureUser(ROOTLESS_USER, true);
    co = checkout(join(user.home, "checkouts"), user);
  }, 300_000);

  afterAll(async () => {
    if (co === undefined) return;
    await buck2(["kill"]);
    await removeCheckout(co, user);
  });

  it("buck2 build, test and run [container]; the layer actions ran on the persistent worker", async () => {
    const b = await buck2(["build", "//examples:app", "//examples/genrule:foo", "--show-output"]);
    expect(b.exitCode, b.stderr.slice(-3000)).toBe(0);
    expect(b.stdout).toMatch(/^root\/\/examples:app buck-out\/\S+\/layer$/m);
    const ran = await buck2(["log", "what-ran"]);
    expect(ran.stdout).toMatch(/\tworker\t/);
    const t = await buck2(["test", "//examples/test:"]);
    expect(t.stderr).toMatch(/Tests finished: \S*Pass 2\S*\. Fail 0\./);
    const r = await buck2(["run", "//examples/genrule:foo[container]", "--", "/bin/cat", "/output/FOO"]);
    expect(r.exitCode, r.stderr.slice(-2000)).toBe(0);
    expect(r.stdout).toContain("HELLO FROM STRATA");
  }, 900_000);
});
