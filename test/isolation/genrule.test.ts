// genrule end to end through `strata compile`: the command runs isolated over a snapshot of the parent, its
// effects become facts (so later features conflict with them), and the result is deterministic.
import { beforeAll, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { chownSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describeBtrfs, freshBtrfsDir } from "../helpers/volume.js";
import { listTree, strata, writeFeatures } from "../runner/helpers.js";
import { makeBusyboxRoot } from "./busybox-root.js";

const LABEL = "//examples/genrule:translate";
let dir: string;
let wv: string;
let baseOut: string;

async function compile(name: string, phase: string, features: object[], parent?: string, env: Record<string, string> = {}) {
  const out = join(dir, `${name}.out`);
  const args = ["compile", "--label", LABEL, "--phase", phase, "--features", writeFeatures(join(dir, `${name}.json`), features), "--out", out, "--working-volume", wv];
  if (parent !== undefined) args.push("--parent", parent);
  const r = await strata(args, { env });
  return { ...r, out };
}

describeBtrfs("genrule", () => {
  beforeAll(async () => {
    dir = freshBtrfsDir("genrule-");
    wv = join(dir, "wv");
    const tree = join(dir, "tree");
    mkdirSync(tree);
    await makeBusyboxRoot(tree);
    mkdirSync(join(tree, "output"));
    chownSync(join(tree, "output"), 65534, 65534);
    writeFileSync(join(tree, "output/_temp_foo"), "hello genrule\n");
    execFileSync("tar", ["-c", "--numeric-owner", "-C", tree, "-f", join(dir, "base.tar"), "."]);
    const r = await compile("base", "compile", [{ type: "tarball", label: "//base:shell", src: join(dir, "base.tar"), into_dir: "/" }]);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    baseOut = r.out;
  });

  const translate = { type: "genrule", label: LABEL, cmd: ["/bin/sh", "-c", "tr a-z A-Z < /output/_temp_foo > /output/FOO; id -u > /output/uid; env | sort > /output/env"] };

  it("runs the command as nobody over the parent and records what it made", async () => {
    const r = await compile("g1", "genrule", [translate], baseOut, { SOURCE_DATE_EPOCH: "1700000000" });
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    const root = realpathSync(r.out);
    expect(readFileSync(join(root, "output/FOO"), "utf8")).toBe("HELLO GENRULE\n");
    expect(readFileSync(join(root, "output/uid"), "utf8")).toBe("65534\n");
    expect(readFileSync(join(root, "output/env"), "utf8")).toBe(
      [
        "HOME=/nonexistent",
        "LANG=C.UTF-8",
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "PWD=/",
        "SHLVL=1", // PWD and SHLVL come from the shell that runs `env`
        "SOURCE_DATE_EPOCH=1700000000",
        "TZ=UTC",
        "USER=nobody",
        "",
      ].join("\n"),
    );
    const facts = await strata(["depgraph", "--label", LABEL, "--features", writeFeatures(join(dir, "none.json"), []), "--parent", r.out]);
    expect(facts.exitCode).toBe(0);
    // the mount points the sandbox needed were made and removed again, and nothing else changed
    const before = listTree(realpathSync(baseOut)).map((e) => e.path);
    const after = listTree(root).map((e) => e.path);
    expect(after.filter((p) => !before.includes(p))).toEqual(["/output/FOO", "/output/env", "/output/uid"]);
    expect(listTree(root).every((e) => e.mtime === 1700000000 || before.includes(e.path))).toBe(true);
  });

  it("gives identical trees when built twice", async () => {
    const a = await compile("twice-a", "genrule", [translate], baseOut);
    const b = await compile("twice-b", "genrule", [translate], baseOut);
    expect([a.exitCode, b.exitCode]).toEqual([0, 0]);
    expect(listTree(realpathSync(a.out))).toEqual(listTree(realpathSync(b.out)));
  });

  it("reports a later feature that writes a path the genrule created as a conflict naming the genrule", async () => {
    const g = await compile("g2", "genrule", [translate], baseOut);
    expect(g.exitCode).toBe(0);
    const r = await compile("after", "compile", [{ type: "install_text", label: "//examples/genrule:foo", text: "x\n", dst: "/output/FOO" }], g.out);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^error: /);
    expect(r.stderr).toContain("/output/FOO");
    expect(r.stderr).toContain(`${LABEL}: genrule`);
  });

  it("sees the parent's layer mounts, read-only", async () => {
    const data = await compile("data", "compile", [{ type: "install_text", label: "//t:data", text: "from the mounted layer\n", dst: "/data.txt" }]);
    const withMount = await compile("with-mount", "compile", [{ type: "layer_mount", label: "//t:m", source: data.out, mountpoint: "/output/mnt" }], baseOut);
    expect(withMount.stderr).toBe("");
    const g = await compile("g-mount", "genrule", [{ ...translate, cmd: ["/bin/sh", "-c", "cat /output/mnt/data.txt > /output/copy; touch /output/mnt/x 2>/dev/null || echo ro > /output/ro"] }], withMount.out);
    expect(g.stderr).toBe("");
    const root = realpathSync(g.out);
    expect(readFileSync(join(root, "output/copy"), "utf8")).toBe("from the mounted layer\n");
    expect(readFileSync(join(root, "output/ro"), "utf8")).toBe("ro\n");
  });

  it("fails the build with the command's exit code, and has no network", async () => {
    const r = await compile("fail", "genrule", [{ ...translate, cmd: ["/bin/sh", "-c", "wget -q -T 2 -O /output/page http://127.0.0.1:1/ || exit 3"] }], baseOut);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("error: //examples/genrule:translate: genrule(");
    expect(r.stderr).toContain("found:    exit code 3");
  });
});
