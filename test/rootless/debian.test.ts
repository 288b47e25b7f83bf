// A real Debian image built rootless: the bootstrap and apt_install (dpkg and its maintainer scripts) inside the
// user namespace, the image tests pass, and the layers' facts exports and tar packages have the bytes of root's.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { checkout, removeCheckout, describeRootless, ensureUser, ROOTLESS_USER, strataAs, type TestUser } from "./helpers.js";
import { strata } from "../runner/helpers.js";

const TARGETS = ["//examples/debian:base[facts]", "//examples/debian:tools[facts]"];
const TOOLS = "buck-out/v2/gen/root/examples/debian/__tools__/package_manager";
const sha = (f: string): string => createHash("sha256").update(readFileSync(f)).digest("hex");

describeRootless("rootless: a Debian image (bootstrap, apt_install) as an ordinary user", () => {
  let user: TestUser;
  let mine: { dir: string; env: Record<string, string> };
  let roots: { dir: string; env: Record<string, string> };

  beforeAll(async () => {
    user = ensureUser(ROOTLESS_USER, true);
    mine = checkout(join(user.home, "checkouts"), user);
    roots = checkout("/tmp/strata-rootless-test/root-checkouts");
    // one after the other: each runs dpkg for three layers, on a machine shared with the other suites
    const r = await strata(["local", "build", ...TARGETS], { cwd: roots.dir });
    expect(r.exitCode, r.stderr.slice(-3000)).toBe(0);
    const u = await strataAs(user, mine, ["local", "build", ...TARGETS]);
    expect(u.exitCode, u.stderr.slice(-3000)).toBe(0);
  }, 1_200_000);

  afterAll(async () => {
    await removeCheckout(mine, user);
    await removeCheckout(roots);
  });

  it("the facts exports of the base and the tools layer are root's bytes", () => {
    for (const layer of ["base", "tools"]) {
      const file = `buck-out/v2/gen/root/examples/debian/__${layer}__/package_manager/facts.json`;
      expect(readFileSync(join(mine.dir, file), "utf8"), layer).toBe(readFileSync(join(roots.dir, file), "utf8"));
    }
  });

  it("a tar of the tools layer is root's bytes", async () => {
    const args = (co: { dir: string }) => ["package", "tar", "--label", "//t:tools.tar", "--layer", join(co.dir, TOOLS, "layer"), "--out", join(co.dir, "tools.tar")];
    const r = await strata(args(roots), { cwd: roots.dir });
    expect(r.exitCode, r.stderr).toBe(0);
    const u = await strataAs(user, mine, args(mine));
    expect(u.exitCode, u.stderr).toBe(0);
    expect(sha(join(mine.dir, "tools.tar"))).toBe(sha(join(roots.dir, "tools.tar")));
  });

  it("the Debian image tests pass rootless", async () => {
    const t = await strataAs(user, mine, ["local", "test", "//examples/debian:"]);
    expect(t.stderr).toContain("Tests finished: Pass 3. Fail 0.");
    expect(t.exitCode).toBe(0);
  }, 600_000);
});
