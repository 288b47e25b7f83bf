// Rootless builds of the examples: an ordinary user (runuser, no capabilities) builds the packaging examples in a
// checkout of its own, and every tar, cpio, squashfs, ext4 and OCI output has the sha256 of the same build as root;
// image tests, genrules and the [container] shell work; the layers hold the image's ids mapped onto the user's
// subordinate range; gc and clean work.
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync } from "node:fs";
import { join, relative } from "node:path";
import { createHash } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { checkout, removeCheckout, describeRootless, ensureUser, strataAs, type TestUser } from "./helpers.js";
import { strata } from "../runner/helpers.js";

const PACKAGES = [
  "tool.tar",
  "tool.tar.gz",
  "tool.tar.zst",
  "tool.cpio",
  "tool.cpio.gz",
  "tool.cpio.zst",
  "tool.squashfs",
  "tool.ext4",
  "tool-16m.ext4",
  "tool.oci",
  "tool-zstd.oci",
  "shell.oci.tar",
].map((p) => `//examples/package:${p}`);

const OUT = "buck-out/v2/gen/root/examples/package";

/** sha256 of every file of each package's output directory, by path relative to buck-out's package directory */
function sums(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) out.set(relative(dir, p), createHash("sha256").update(readFileSync(p)).digest("hex"));
    }
  };
  for (const pkg of readdirSync(dir).filter((n) => /^__(tool|shell).*\.(tar|gz|zst|cpio|squashfs|ext4|oci)__$/.test(n))) walk(join(dir, pkg));
  return out;
}

describeRootless("rootless: the examples as an ordinary user", () => {
  let user: TestUser;
  let mine: { dir: string; env: Record<string, string> };
  let roots: { dir: string; env: Record<string, string> };

  beforeAll(async () => {
    user = ensureUser("strata-rl", true);
    mine = checkout(join(user.home, "checkouts"), user);
    roots = checkout(join(repoScratch(), "root-checkouts"));
    const [r, u] = await Promise.all([
      strata(["local", "build", ...PACKAGES, "//examples:app[facts]"], { cwd: roots.dir }),
      strataAs(user, mine, ["local", "build", ...PACKAGES, "//examples:app", "//examples:app[facts]", "//examples/genrule:foo"]),
    ]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(u.exitCode, u.stderr).toBe(0);
  }, 900_000);

  afterAll(async () => {
    await removeCheckout(mine, user);
    await removeCheckout(roots);
  });

  it("the tar, cpio, squashfs, ext4 and OCI outputs have the root build's sha256", () => {
    const root = sums(join(roots.dir, OUT));
    const rootless = sums(join(mine.dir, OUT));
    expect(root.size).toBeGreaterThan(20);
    for (const ext of [".tar", ".cpio", ".squashfs", ".ext4", "index.json"]) expect([...root.keys()].some((k) => k.endsWith(ext)), ext).toBe(true);
    expect(Object.fromEntries(rootless)).toEqual(Object.fromEntries(root));
  });

  it("the layer holds the image's ids mapped onto the user's range; what strata writes outside it is the user's", () => {
    const layer = realpathSync(join(mine.dir, "buck-out/v2/gen/root/examples/__app__/compile/layer"));
    expect(layer.startsWith(join(mine.dir, "strata-out") + "/")).toBe(true);
    // image root is the user; image uid/gid 1500 (app) is subuid + 1499
    expect(lstatSync(join(layer, "etc/passwd")).uid).toBe(user.uid);
    const conf = lstatSync(join(layer, "etc/app/app.conf"));
    expect([conf.uid, conf.gid]).toEqual([user.subuid! + 1499, user.subuid! + 1499]);
    expect(lstatSync(join(mine.dir, OUT, "__tool.tar__/tool.tar")).uid).toBe(user.uid);
  });

  it("the facts export holds the image's own ids, the same bytes as root's", () => {
    const facts = (co: { dir: string }): string => readFileSync(join(co.dir, "buck-out/v2/gen/root/examples/__app__/compile/facts.json"), "utf8");
    expect(facts(mine)).toBe(facts(roots));
    expect(facts(mine)).toMatch(/"path":"\/etc\/app\/app.conf"[^\n]*"uid":1500/);
  });

  it("image tests pass, and a genrule's output is read through the [container] shell", async () => {
    const t = await strataAs(user, mine, ["local", "test", "//examples/test:"]);
    expect(t.stderr).toContain("Tests finished: Pass 2. Fail 0.");
    expect(t.exitCode).toBe(0);
    const run = await strataAs(user, mine, ["local", "run", "//examples/genrule:foo[container]", "/bin/cat", "/output/FOO"]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain("HELLO FROM STRATA");
  });

  it("a btrfs send stream is refused rootless with one error that says why and what to use", async () => {
    const r = await strataAs(user, mine, ["local", "build", "//examples/package:tool.sendstream"]);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain("error: root//examples/package:tool.sendstream: a btrfs send stream needs the layer (and its parent) as btrfs subvolumes, and root");
    expect(r.stderr).toContain("found:    a rootless build (uid 0 of a user namespace)");
  });

  it("strata unshare shows the image's ids; gc and clean remove what the user cannot remove by hand", async () => {
    const layer = realpathSync(join(mine.dir, "buck-out/v2/gen/root/examples/__app__/compile/layer"));
    const ls = await strataAs(user, mine, ["unshare", "--", "stat", "-c", "%u:%g", join(layer, "etc/app/app.conf")]);
    expect(ls.stdout.trim()).toBe("1500:1500");
    const gc = await strataAs(user, mine, ["gc", "--grace-seconds", "0"]);
    expect(gc.exitCode, gc.stderr).toBe(0);
    const clean = await strataAs(user, mine, ["clean"]);
    expect(clean.exitCode, clean.stderr).toBe(0);
    expect(existsSync(join(mine.dir, "strata-out"))).toBe(false);
  });
});

function repoScratch(): string {
  return join(realpathSync("/tmp"), "strata-rootless-test");
}
