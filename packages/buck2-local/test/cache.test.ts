// The action cache under concurrent `strata local build` processes, and hits that must not trust a stale output.
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { SH_OUT_RULE, fixture, local } from "./helpers.js";

const RULES = {
  "rules/sh.bzl": SH_OUT_RULE,
  "p/TARGETS": `load("//rules:sh.bzl", "sh_out")
sh_out(name = "x", cmd = 'cat "$1" > "$0"', srcs = ["v.txt"])
# waits until the test creates \`go\` in the project root, after saying it started
sh_out(name = "slow", cmd = 'touch started; while [ ! -e go ]; do sleep 0.05; done; echo done > "$0"')
# like a layer: the output is a symlink to a directory published elsewhere
sh_out(name = "layer", cmd = 'd="$PWD/published/$(cat "$1")"; mkdir -p "$d"; ln -s "$d" "$0"', srcs = ["v.txt"])
`,
  "p/v.txt": "v1\n",
};

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await sleep(50);
}

describe("action cache", () => {
  it("a build running meanwhile does not bring back an old record: the tree is rebuilt, not reported fresh (issue 9 item 2)", async () => {
    const dir = fixture("basic", RULES);
    const out = join(dir, "buck-out/v2/gen/root/p/__x__/out");
    expect((await local(dir, ["build", "//p:x"])).exitCode).toBe(0);
    expect(readFileSync(out, "utf8")).toBe("v1\n");

    const background = local(dir, ["build", "//p:slow"]);
    await until(() => existsSync(join(dir, "started")));
    writeFileSync(join(dir, "p/v.txt"), "v2\n");
    const v2 = await local(dir, ["build", "//p:x", "--verbose"]);
    expect(v2.stderr).toContain("1 ran, 0 skipped");
    expect(readFileSync(out, "utf8")).toBe("v2\n");
    writeFileSync(join(dir, "go"), "");
    expect((await background).exitCode).toBe(0);

    writeFileSync(join(dir, "p/v.txt"), "v1\n");
    const back = await local(dir, ["build", "//p:x", "--verbose"]);
    expect(back.stderr).toContain("1 ran, 0 skipped");
    expect(readFileSync(out, "utf8")).toBe("v1\n");
    // and the background build's own entry survived the other builds' writes
    const again = await local(dir, ["build", "//p:x", "//p:slow", "--verbose"]);
    expect(again.stderr).toContain("0 ran, 2 skipped");
  });

  it("two builds of the same targets at once both succeed and leave one consistent record", async () => {
    const dir = fixture("basic", RULES);
    const [a, b] = await Promise.all([local(dir, ["build", "//p:x", "//p:layer"]), local(dir, ["build", "//p:x", "//p:layer"])]);
    expect([a.exitCode, b.exitCode, a.stderr, b.stderr]).toEqual([0, 0, "", ""]);
    const third = await local(dir, ["build", "//p:x", "//p:layer", "--verbose"]);
    expect(third.stderr).toContain("0 ran, 2 skipped");
  });

  it("an output symlink whose target is gone (a layer removed by gc) is rebuilt, not a hit", async () => {
    const dir = fixture("basic", RULES);
    expect((await local(dir, ["build", "//p:layer"])).exitCode).toBe(0);
    rmSync(join(dir, "published"), { recursive: true });
    const r = await local(dir, ["build", "//p:layer", "--verbose"]);
    expect(r.stderr).toContain("running root//p:layer (sh)");
    expect(existsSync(join(dir, "published/v1"))).toBe(true);
  });

  it("an output replaced behind the driver's back is rebuilt", async () => {
    const dir = fixture("basic", RULES);
    const out = join(dir, "buck-out/v2/gen/root/p/__x__/out");
    expect((await local(dir, ["build", "//p:x"])).exitCode).toBe(0);
    rmSync(out);
    writeFileSync(out, "v9\n");
    const r = await local(dir, ["build", "//p:x", "--verbose"]);
    expect(r.stderr).toContain("1 ran, 0 skipped");
    expect(readFileSync(out, "utf8")).toBe("v1\n");
  });
});
