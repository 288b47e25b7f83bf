// The example images of examples/BUCK, built end to end through the local driver on btrfs.
import { beforeAll, expect, it } from "vitest";
import { existsSync, lstatSync, readFileSync, readlinkSync, realpathSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describeBtrfs } from "../helpers/volume.js";
import { newProject, outputOf, readJson, repoRoot, type BuildResult, type Project } from "./project.js";

interface Feature {
  type: string;
  label: string;
  [k: string]: unknown;
}

describeBtrfs("examples (rules through the local driver)", () => {
  let project: Project;
  let built: BuildResult;
  const root = (target: string): string => realpathSync(outputOf(built, target));

  beforeAll(async () => {
    project = newProject();
    built = await project.build([
      "//examples:app",
      "//examples:debug",
      "//examples:app_without_motd",
      "//examples:base_snapshot",
      "//examples:operators",
      "//examples:app[facts]",
      "//examples:app[features]",
      "//examples:app[debug][compile]",
      "//examples:app[debug][compile][depgraph]",
    ]);
  });

  it("publishes a layer chain with users, groups, config files and directories", () => {
    const app = root("//examples:app");
    expect(readFileSync(join(app, "etc/app/app.conf"), "utf8")).toBe(readFileSync(join(repoRoot, "examples/files/app.conf"), "utf8"));
    const conf = statSync(join(app, "etc/app/app.conf"));
    expect(conf.mode & 0o7777).toBe(0o440);
    expect([conf.uid, conf.gid]).toEqual([1500, 1500]);
    const passwd = readFileSync(join(app, "etc/passwd"), "utf8");
    expect(passwd).toContain("app:x:1500:1500:application service:/var/lib/app:/usr/sbin/nologin");
    expect(passwd).toMatch(/^ops:x:1000:1000::\/home\/ops:\/usr\/sbin\/nologin$/m);
    expect(readFileSync(join(app, "etc/group"), "utf8")).toMatch(/^app:x:1500:app,ops$/m); // the user joins its primary group's member list (antlir2)
    expect(statSync(join(app, "var/lib/app")).mode & 0o7777).toBe(0o750);
    expect(statSync(join(app, "tmp")).mode & 0o7777).toBe(0o1777);
    // a directory install keeps its tree
    expect(readFileSync(join(app, "srv/www/css/site.css"), "utf8")).toContain("sans-serif");
    // the parent's files are there, the layer is read-only
    expect(readFileSync(join(app, "etc/hostname"), "utf8")).toBe("strata-example\n");
    expect(() => writeFileSync(join(app, "etc/x"), "")).toThrow(/EROFS|read-only/i);
  });

  it("installs symlinks and unpacks the tarball", () => {
    const app = root("//examples:app");
    expect(readlinkSync(join(app, "bin"))).toBe("usr/bin");
    expect(readlinkSync(join(app, "etc/app/current.conf"))).toBe("/etc/app/app.conf");
    expect(readlinkSync(join(app, "usr/bin/hello"))).toBe("/opt/vendor/bin/hello");
    expect(statSync(join(app, "opt/vendor/bin/hello")).mode & 0o111).not.toBe(0);
    expect(readFileSync(join(app, "opt/vendor/share/README"), "utf8")).toContain("feature.tarball");
  });

  it("shares a feature.new group between two layers and clones a path from another layer", () => {
    const debug = root("//examples:debug");
    expect(readFileSync(join(debug, "etc/motd"), "utf8")).toBe(readFileSync(join(repoRoot, "examples/files/motd"), "utf8"));
    expect(readFileSync(join(debug, "etc/group"), "utf8")).toMatch(/^root:x:0:ops$/m);
    expect(readFileSync(join(debug, "opt/vendor/bin/hello"), "utf8")).toContain("hello from vendor");
    expect(lstatSync(join(debug, "mnt/app")).isDirectory()).toBe(true);
    // the group's target builds to its features, labelled with the group
    const group = readJson<Feature[]>(outputOf(built, "//examples:operators"));
    expect(group.map((f) => f.type)).toEqual(["group_add", "ensure_dirs_exist", "user_add", "install"]);
    expect(new Set(group.map((f) => f.label))).toEqual(new Set(["root//examples:operators"]));
  });

  it("removes in a child layer and snapshots a parent for a layer without features", () => {
    const without = root("//examples:app_without_motd");
    expect(existsSync(join(without, "etc/motd"))).toBe(false);
    expect(existsSync(join(without, "etc/app/app.conf"))).toBe(true);
    expect(existsSync(join(root("//examples:app"), "etc/motd"))).toBe(true);
    const snapshot = root("//examples:base_snapshot");
    expect(readFileSync(join(snapshot, "etc/hostname"), "utf8")).toBe("strata-example\n");
    expect(existsSync(join(snapshot, "etc/app"))).toBe(false);
  });

  it("exposes facts, features and per-phase debug outputs as sub-targets", () => {
    const facts = JSON.stringify(readJson(outputOf(built, "//examples:app[facts]")));
    expect(facts).toContain("/etc/app/app.conf");
    const features = readJson<Feature[]>(outputOf(built, "//examples:app[features]"));
    const conf = features.find((f) => f.dst === "/etc/app/app.conf")!;
    expect(conf).toMatchObject({ type: "install", label: "root//examples:app", src: "examples/files/app.conf", mode: "u=r,g=r,o=" });
    expect(features.find((f) => f.dst === "/etc/motd")).toMatchObject({ label: "root//examples:operators", src: "examples/files/motd" });
    // the feature.new group keeps its place (first) in the layer's features
    expect(features[0]).toMatchObject({ type: "group_add", groupname: "ops" });
    expect(features.some((f) => "mode" in f && f.mode === null)).toBe(false);
    expect(existsSync(outputOf(built, "//examples:app[debug][compile]"))).toBe(true);
    // the depgraph action's output: the phase's features in the order they apply, one per line
    const order = readFileSync(outputOf(built, "//examples:app[debug][compile][depgraph]"), "utf8").trim().split("\n");
    expect(order).toHaveLength(features.length);
    const at = (needle: string): number => order.findIndex((l) => l.includes(needle));
    expect(at('"/etc/app"')).toBeGreaterThanOrEqual(0);
    expect(at('"/etc/app"')).toBeLessThan(at('"/etc/app/app.conf"'));
  });
});
