// gc keeps what a published output points to, what is being built and what is young; removes the rest.
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { collectGarbage } from "../../src/storage/gc.js";
import { BUILDING_FILE, INFO_FILE, beginLayer } from "../../src/storage/layers.js";
import { openWorkingVolume } from "../../src/storage/volume.js";
import { describeBtrfs, freshBtrfsDir, freshScratchDir, subvolumesUnder } from "../helpers/volume.js";
import { base, strata, writeFeatures } from "../runner/helpers.js";

const DAY = 24 * 3600;

function age(layerDir: string, seconds: number): void {
  const t = Date.now() / 1000 - seconds;
  utimesSync(join(layerDir, INFO_FILE), t, t);
}

describeBtrfs("gc", () => {
  describe.each(["btrfs", "copy"])("%s backend", (backend) => {
    async function build(wvDir: string, work: string, name: string, features: object[], parent?: string): Promise<string> {
      const out = join(work, name);
      const args = ["compile", "--label", `//g:${name}`, "--phase", "compile", "--features", writeFeatures(join(work, `${name}.json`), features), "--out", out, "--working-volume", wvDir, "--backend", backend];
      if (parent !== undefined) args.push("--parent", parent);
      const r = await strata(args);
      expect(r.stderr).toBe("");
      return out;
    }

    it("removes dead layers older than the grace period and keeps live ones, young ones and builds in progress", async () => {
      const wvDir = freshBtrfsDir();
      const work = freshScratchDir();
      const wv = await openWorkingVolume({ dir: wvDir, backend });
      const out = await build(wvDir, work, "a", base("//g:a"));
      const first = readdirSync(wv.layersDir);
      await build(wvDir, work, "a", [...base("//g:a"), { type: "install_text", label: "//g:a", text: "2", dst: "/two" }]);
      const dead = first[0]!;
      const liveNow = readdirSync(wv.layersDir).filter((n) => n !== dead)[0]!;
      // an abandoned, crashed build (no live builder)
      const crashed = await beginLayer(wv, "//g:crashed", "compile");
      writeFileSync(join(crashed.dir, BUILDING_FILE), "999999999 0");
      // a build in progress (this process)
      const running = await beginLayer(wv, "//g:running", "compile");
      for (const n of [dead, liveNow, crashed.name, running.name]) age(join(wv.layersDir, n), 2 * DAY);

      // a crashed build can never be published: it goes whatever its age
      const young = await collectGarbage(wv, 3 * DAY);
      expect(young.removed).toEqual([crashed.name]);
      const r = await collectGarbage(wv, DAY);
      expect(r.removed).toEqual([dead]);
      expect(readdirSync(wv.layersDir).sort()).toEqual([liveNow, running.name].sort());
      expect(existsSync(join(out, "two"))).toBe(true);
    });

    it("keeps the facts of a dead parent that a live child's facts build on, and reports a dangling parent", async () => {
      const wvDir = freshBtrfsDir();
      const work = freshScratchDir();
      const wv = await openWorkingVolume({ dir: wvDir, backend });
      const parent = await build(wvDir, work, "p", base("//g:p"));
      const child = await build(wvDir, work, "c", [{ type: "install_text", label: "//g:c", text: "c", dst: "/c" }], parent);
      rmSync(parent);
      const r = await collectGarbage(wv, 0);
      expect(r.factsKept.length).toBe(1);
      expect(r.removed).toEqual([]);
      // the child still answers lookups of its parent's paths
      const grand = await strata(["depgraph", "--features", writeFeatures(join(work, "g.json"), [{ type: "install_text", label: "//g:g", text: "g", dst: "/etc/app/g" }]), "--parent", child, "--label", "//g:g"]);
      expect(grand.stderr).toBe("");
      expect(grand.stdout).toBe('install_text(dst="/etc/app/g")');
    });
  });
});

describeBtrfs("gc of throwaway snapshots", () => {
  it("removes a snapshot whose process died (SIGKILL leaves it) and keeps one in use", async () => {
    const wvDir = freshBtrfsDir();
    const wv = await openWorkingVolume({ dir: wvDir, backend: "btrfs" });
    const { btrfsBackend } = await import("../../src/storage/btrfs.js");
    const { selfToken } = await import("../../src/storage/liveness.js");
    const { mkdirSync } = await import("node:fs");
    const snap = (name: string, owner: string): string => {
      const dir = join(wv.store, "throwaway", name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "owner"), owner);
      return dir;
    };
    const dead = snap("snap-dead", "999999999 0");
    const inUse = snap("snap-live", selfToken());
    await btrfsBackend.createEmpty(join(dead, "root"));
    await btrfsBackend.createEmpty(join(inUse, "root"));
    const r = await collectGarbage(wv);
    expect(r.throwawaysRemoved).toEqual(["snap-dead"]);
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(join(inUse, "root"))).toBe(true);
  });
});

describeBtrfs("gc of what sits elsewhere in the store (issue 19 item 6)", () => {
  async function compileInto(wvDir: string, work: string, name: string): Promise<string> {
    const out = join(work, name);
    const r = await strata(["compile", "--label", `//g:${name}`, "--phase", "compile", "--features", writeFeatures(join(work, `${name}.json`), base(`//g:${name}`)), "--out", out, "--working-volume", wvDir]);
    expect(r.stderr).toBe("");
    return out;
  }
  it("collects a nested working volume's dead layers by the same rules and removes it once empty; a tree strata made in no layer after the grace period, no other subvolume", async () => {
    const wvDir = freshBtrfsDir();
    const work = freshScratchDir();
    const wv = await openWorkingVolume({ dir: wvDir, backend: "btrfs" });
    // what `strata local repro` left before it cleaned up: two volumes under repro/, one output still pointing in
    const dead = await compileInto(join(wv.store, "repro", "t1-1"), work, "dead");
    const live = await compileInto(join(wv.store, "repro", "t1-2"), work, "live");
    rmSync(dead);
    const running = await beginLayer(await openWorkingVolume({ dir: join(wv.store, "repro", "t1-2"), backend: "btrfs" }), "//g:running", "compile");
    // a tree strata made in no layer (a layer directory moved by hand): no output or chain can point to it; and a
    // subvolume strata never makes (every tree of strata is called root), which is left alone
    mkdirSync(join(wv.store, "elsewhere", "old-layer"), { recursive: true });
    execFileSync("btrfs", ["subvolume", "create", join(wv.store, "elsewhere", "old-layer", "root")], { stdio: "ignore" });
    execFileSync("btrfs", ["subvolume", "create", join(wv.store, "someone-elses")], { stdio: "ignore" });
    const names = (vol: string): string[] => readdirSync(join(wv.store, "repro", vol, "layers"));
    const [deadLayer] = names("t1-1");

    // within the grace period nothing goes
    const young = await collectGarbage(wv, DAY);
    expect([young.removed, young.nestedRemoved, young.straysRemoved]).toEqual([[], [], []]);
    expect(subvolumesUnder(wv.store).sort()).toEqual([...names("t1-1").map((n) => `repro/t1-1/layers/${n}/root`), ...names("t1-2").filter((n) => n !== running.name).map((n) => `repro/t1-2/layers/${n}/root`), "elsewhere/old-layer/root", "someone-elses"].sort());

    const r = await collectGarbage(wv, 0);
    expect(r.removed).toEqual([deadLayer]);
    expect(r.nestedRemoved).toEqual([join(wv.store, "repro", "t1-1")]);
    expect(r.straysRemoved).toEqual([join(wv.store, "elsewhere", "old-layer", "root")]);
    expect(existsSync(join(wv.store, "repro", "t1-1"))).toBe(false);
    expect(existsSync(join(wv.store, "elsewhere"))).toBe(false);
    // the live layer and the build in progress stay, and so does their volume
    expect(names("t1-2").sort()).toEqual([readdirSync(join(wv.store, "repro", "t1-2", "layers")).find((n) => n !== running.name)!, running.name].sort());
    expect(existsSync(join(live, "etc"))).toBe(true);
    expect(subvolumesUnder(wv.store)).toEqual([`repro/t1-2/layers/${names("t1-2").find((n) => n !== running.name)}/root`, "someone-elses"]);

    // once its output is gone and its build ended, the second volume goes too
    rmSync(live);
    rmSync(running.dir, { recursive: true });
    const last = await collectGarbage(wv, 0);
    expect(last.nestedRemoved).toEqual([join(wv.store, "repro", "t1-2")]);
    expect(existsSync(join(wv.store, "repro"))).toBe(false);
    expect(subvolumesUnder(wv.store)).toEqual(["someone-elses"]);
  });
});
