// `strata compile` end to end, on both backends: publishing, parent reuse, sealing, facts, determinism, errors.
import { phaseOf } from "../helpers/phase.js";
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import { describeBtrfs, freshBtrfsDir, freshScratchDir } from "../helpers/volume.js";
import { base, listTree, strata, writeFeatures } from "./helpers.js";

function factsDirOf(out: string): string {
  return join(dirname(readlinkSync(out)), "facts");
}

function exported(file: string): { paths: { path: string; type: string; mode: number; size?: number; origin?: string }[]; users: { name: string }[] } {
  return JSON.parse(readFileSync(file, "utf8"));
}

describeBtrfs("strata compile", () => {
  describe.each(["btrfs", "copy"])("%s backend", (backend) => {
    function setup(): { wv: string; work: string; compile: (name: string, features: object[], extra?: string[], env?: Record<string, string>) => ReturnType<typeof strata> } {
      const wv = freshBtrfsDir();
      const work = freshScratchDir();
      return {
        wv,
        work,
        compile: (name, features, extra = [], env = {}) =>
          strata(["compile", "--label", `//t:${name}`, "--phase", phaseOf(features), "--features", writeFeatures(join(work, `${name}.json`), features), "--out", join(work, name), "--working-volume", wv, "--backend", backend, ...extra], { env }),
      };
    }

    it("publishes OUT as an absolute symlink to a sealed layer, with facts beside it", async () => {
      const { work, compile } = setup();
      const r = await compile("base", base("//t:base"), ["--facts-out", join(work, "base.facts.json")]);
      expect(r.stderr).toBe("");
      expect(r.exitCode).toBe(0);
      const out = join(work, "base");
      expect(lstatSync(out).isSymbolicLink()).toBe(true);
      expect(isAbsolute(readlinkSync(out))).toBe(true);
      expect(readFileSync(join(out, "etc/app/hello.txt"), "utf8")).toBe("hello\n");
      expect(existsSync(join(factsDirOf(out), "meta.json"))).toBe(true);
      if (backend === "btrfs") {
        expect(execFileSync("btrfs", ["property", "get", "-ts", readlinkSync(out), "ro"], { encoding: "utf8" }).trim()).toBe("ro=true");
        expect(() => writeFileSync(join(out, "etc/new"), "x")).toThrow(expect.objectContaining({ code: "EROFS" }));
      } else {
        expect(existsSync(`${readlinkSync(out)}.readonly`)).toBe(true);
      }
      const facts = exported(join(work, "base.facts.json"));
      expect(facts.paths.map((p) => p.path)).toEqual(["/", "/etc", "/etc/app", "/etc/app/hello.txt", "/etc/group", "/etc/passwd"]);
      expect(facts.paths[3]).toMatchObject({ type: "file", mode: 0o444, size: 6, origin: "//t:base: install_text" });
      expect(facts.users.map((u) => u.name)).toEqual(["root"]);
      // every path and the root carry the epoch (SOURCE_DATE_EPOCH unset → 0)
      expect(listTree(out, backend === "btrfs").every((e) => e.mtime === 0 && e.atime <= 0)).toBe(true);
    });

    it("builds a child from the parent without changing the parent's tree or facts", async () => {
      const { work, compile } = setup();
      expect((await compile("parent", base("//t:parent"))).exitCode).toBe(0);
      const parent = join(work, "parent");
      const treeBefore = listTree(parent, backend === "btrfs");
      const factsDir = factsDirOf(parent);
      const factsBefore = readdirSync(factsDir).map((f) => [f, readFileSync(join(factsDir, f), "utf8")]);
      // a remove phase over the parent (the runner refuses features of two phases in one compile)
      const child = await compile("child", [{ type: "remove", label: "//t:child", path: "/etc/app/hello.txt" }], ["--parent", parent, "--facts-out", join(work, "child.facts.json")]);
      expect(child.stderr).toBe("");
      expect(listTree(parent, backend === "btrfs")).toEqual(treeBefore);
      expect(readdirSync(factsDir).map((f) => [f, readFileSync(join(factsDir, f), "utf8")])).toEqual(factsBefore);
      const paths = exported(join(work, "child.facts.json")).paths.map((p) => p.path);
      expect(paths).toEqual(["/", "/etc", "/etc/app", "/etc/group", "/etc/passwd"]);
      // the child's record is a delta on the parent's
      const meta = JSON.parse(readFileSync(join(factsDirOf(join(work, "child")), "meta.json"), "utf8"));
      expect(meta).toMatchObject({ kind: "delta", parent: factsDir, pathCount: 5 });
      expect(listTree(join(work, "child")).find((e) => e.path === "/etc/app")?.mtime).toBe(0);
    });

    it("gives identical trees for the same features on the same parent", async () => {
      const { work, compile } = setup();
      expect((await compile("p", base("//t:p"))).stderr).toBe("");
      const srcDir = join(work, "tree");
      mkdirSync(join(srcDir, "sub/deeper"), { recursive: true });
      writeFileSync(join(srcDir, "sub/deeper/x"), "x");
      writeFileSync(join(srcDir, "run.sh"), "#!/bin/sh\n", { mode: 0o755 });
      symlinkSync("sub/deeper/x", join(srcDir, "link"));
      const features = [
        { type: "ensure_dirs_exist", label: "//t:x", dirs: "/opt/a/b", mode: 0o750 },
        { type: "install_text", label: "//t:x", text: "data", dst: "/opt/a/b/f", mode: "u=rwx,go=r" },
        { type: "ensure_file_symlink", label: "//t:x", link: "/opt/l", target: "/opt/a/b/f" },
        { type: "ensure_dirs_exist", label: "//t:x", dirs: "/srv" },
        { type: "install", label: "//t:x", src: srcDir, dst: "/srv/tree/" },
      ];
      const env = { SOURCE_DATE_EPOCH: "1700000000" };
      const r1 = await compile("x1", features, ["--parent", join(work, "p")], env);
      const r2 = await compile("x2", features, ["--parent", join(work, "p")], env);
      expect(r1.stderr + r2.stderr).toBe("");
      const t1 = listTree(join(work, "x1"), backend === "btrfs");
      expect(t1).toEqual(listTree(join(work, "x2"), backend === "btrfs"));
      expect(t1.find((e) => e.path === "/opt/a/b/f")).toMatchObject({ mode: 0o744, mtime: 1700000000 });
      expect(t1.filter((e) => e.path.startsWith("/srv") || e.path.startsWith("/opt")).every((e) => e.mtime === 1700000000)).toBe(true);
      expect(t1.find((e) => e.path === "/srv/tree/run.sh")).toMatchObject({ mode: 0o755 }); // a directory install keeps source modes (antlir2)
      expect(readlinkSync(join(work, "x1"))).not.toBe(readlinkSync(join(work, "x2")));
    });

    it("reports every invalid feature, writes nothing, and leaves OUT as it was", async () => {
      const { wv, work, compile } = setup();
      await compile("keep", base("//t:keep"));
      const before = readlinkSync(join(work, "keep"));
      const layersBefore = readdirSync(join(wv, "layers")).length;
      const r = await compile("keep", [
        { type: "install_text", label: "//t:keep", text: "a", dst: "/etc/x", mod: 1 },
        { type: "install_text", label: "//t:keep", dst: "/etc/y" },
      ]);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/^error: \/\/t:keep: 2 errors/);
      expect(r.stderr).toMatch(/unknown attribute "mod"/);
      expect(r.stderr).toMatch(/invalid attribute "text"/);
      expect(r.stderr).not.toMatch(/ at .*\.js:\d+/);
      expect(readlinkSync(join(work, "keep"))).toBe(before);
      expect(readdirSync(join(wv, "layers")).length).toBe(layersBefore);
    });

    it("removes the half-built layer when a feature fails while applying", async () => {
      const { wv, work, compile } = setup();
      const r = await compile("bad", [{ type: "install", label: "//t:bad", src: join(work, "does-not-exist"), dst: "/x" }]);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/^error: /);
      expect(existsSync(join(work, "bad"))).toBe(false);
      expect(existsSync(join(wv, "layers")) ? readdirSync(join(wv, "layers")) : []).toEqual([]);
    });

    it("fails with recovery advice when the parent's output is dangling", async () => {
      const { wv, work, compile } = setup();
      await compile("gone", base("//t:gone"));
      const gc = await strata(["gc", "--working-volume", wv, "--grace-seconds", "0", "--backend", backend]);
      expect(gc.exitCode).toBe(0);
      // the layer is still live: gc kept it
      expect(existsSync(join(work, "gone", "etc"))).toBe(true);
      const layer = readlinkSync(join(work, "gone"));
      if (backend === "btrfs") execFileSync("btrfs", ["subvolume", "delete", layer]);
      execFileSync("rm", ["-rf", dirname(layer)]);
      expect(existsSync(layer)).toBe(false);
      const r = await compile("orphan", [{ type: "install_text", label: "//t:orphan", text: "a", dst: "/a" }], ["--parent", join(work, "gone")]);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(/^error: \/\/t:orphan: the parent layer output .*gone is dangling/);
      expect(r.stderr).toMatch(/buck2 build/);
      expect(r.stderr).toMatch(/or delete .*gone so that the build system rebuilds it/);
    });
  });

  it("refuses to replace an OUT that is a directory", async () => {
    const work = freshScratchDir();
    mkdirSync(join(work, "out"));
    const r = await strata(["compile", "--label", "//t:o", "--phase", "compile", "--features", writeFeatures(join(work, "f.json"), base("//t:o")), "--out", join(work, "out"), "--working-volume", freshBtrfsDir()]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^error: \/\/t:o: the output .*out is a directory/);
  });

  it("refuses a umask that denies the owner execute bit", async () => {
    const work = freshScratchDir();
    const r = await strata(["compile", "--label", "//t:u", "--phase", "compile", "--features", writeFeatures(join(work, "f.json"), base("//t:u")), "--out", join(work, "u"), "--working-volume", freshBtrfsDir()], { umask: "0177" });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^error: \/\/t:u: refusing to run with umask 0177/);
    expect(existsSync(join(work, "u"))).toBe(false);
  });

  it("validates with `depgraph` and prints the apply order", async () => {
    const work = freshScratchDir();
    const f = writeFeatures(join(work, "f.json"), [
      { type: "install_text", label: "//t:d", text: "x", dst: "/etc/app/x" },
      { type: "ensure_dirs_exist", label: "//t:d", dirs: "/etc/app" },
    ]);
    const r = await strata(["depgraph", "--features", f, "--label", "//t:d"]);
    expect(r.stderr).toBe("");
    expect(r.stdout.split("\n")).toEqual(['ensure_dirs_exist(dirs="/etc/app")', 'install_text(dst="/etc/app/x")']);
    const bad = await strata(["depgraph", "--features", writeFeatures(join(work, "g.json"), [{ type: "install_text", label: "//t:d", text: "x", dst: "/nope/x" }]), "--label", "//t:d"]);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toMatch(/^error: /);
  });

  it("has --help for each command and rejects unknown options", async () => {
    for (const cmd of ["compile", "depgraph", "gc"]) {
      const r = await strata([cmd, "--help"]);
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`strata ${cmd}`));
    }
    const r = await strata(["compile", "--label", "//t:x"]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^error: /);
  });
});
