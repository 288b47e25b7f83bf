// image.layer through the local driver: phase split, parent reuse, errors at analysis and at build time.
import { beforeAll, expect, it } from "vitest";
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { describeBtrfs } from "../helpers/volume.js";
import { newProject, outputOf, readJson, RULES_LOAD, type Project } from "./project.js";

// A rule of the test project whose output a feature installs (a source given as a target).
const GEN_BZL = `
def _gen_impl(ctx):
    return [DefaultInfo(default_output = ctx.actions.write("gen.txt", "generated\\n"))]

gen_file = rule(impl = _gen_impl, attrs = {})
`;

const CHAIN = `${RULES_LOAD}load(":gen.bzl", "gen_file")

gen_file(name = "gen")

image.layer(
    name = "parent",
    features = [
        feature.ensure_dirs_exist(dirs = "/etc"),
        feature.install(src = ":gen", dst = "/etc/gen.txt"),
        feature.install_text(dst = "/etc/greeting", text = "hello\\n"),
        feature.install_text(dst = "/etc/old", text = "old\\n"),
    ],
)

image.layer(
    name = "child",
    parent_layer = ":parent",
    features = [
        [feature.install_text(dst = "/etc/greeting", text = "CHILD_TEXT\\n")],
        feature.remove(path = "/etc/greeting"),
        feature.remove(path = "/etc/old"),
    ],
)

image.layer(name = "empty")

image.layer(
    name = "cloned",
    parent_layer = ":parent",
    features = [feature.clone(src_layer = ":parent", src_path = "/etc/greeting", dst_path = "/etc/copy")],
)

feature.new(
    name = "clone-group",
    features = [feature.clone(src_layer = ":parent", src_path = "/etc/greeting", dst_path = "/etc/grouped")],
)

image.layer(
    name = "cloned-by-group",
    parent_layer = ":parent",
    features = [":clone-group"],
)

image.layer(
    name = "mounted",
    parent_layer = ":parent",
    features = [feature.layer_mount(source = ":parent", mountpoint = "/mnt")],
)

image.layer(
    name = "above-mounted",
    parent_layer = ":mounted",
    features = [feature.install_text(dst = "/etc/x", text = "x\\n")],
)

image.layer(
    name = "above-cloned",
    parent_layer = ":cloned",
    features = [feature.install_text(dst = "/etc/more", text = "more\\n")],
)
`;

/** strata actions the driver ran, as `owner category identifier`, from its `--verbose` lines `running <owner> (<category> <identifier>)`. */
function ranActions(output: string): string[] {
  return [...output.matchAll(/^running (\S+) \((strata_\w+) (\w+)\)$/gm)].map((m) => `${m[1]} ${m[2]} ${m[3]}`);
}

describeBtrfs("image.layer phases and reuse", () => {
  let project: Project;
  beforeAll(() => {
    project = newProject({ "t/BUCK": CHAIN, "t/gen.bzl": GEN_BZL });
  });

  it("splits features into phases: remove runs before compile, each in its own action", async () => {
    const r = await project.build(["//t:child", "//t:child[debug][remove][features]", "//t:child[debug][compile][features]"], ["--verbose"]);
    const child = realpathSync(outputOf(r, "//t:child"));
    expect(readFileSync(join(child, "etc/greeting"), "utf8")).toBe("CHILD_TEXT\n");
    expect(existsSync(join(child, "etc/old"))).toBe(false);
    // a target's output installed from the parent layer
    expect(readFileSync(join(child, "etc/gen.txt"), "utf8")).toBe("generated\n");
    const removeFeatures = readJson<{ type: string }[]>(outputOf(r, "//t:child[debug][remove][features]"));
    const compileFeatures = readJson<{ type: string }[]>(outputOf(r, "//t:child[debug][compile][features]"));
    expect(removeFeatures.map((f) => f.type)).toEqual(["remove", "remove"]);
    expect(compileFeatures.map((f) => f.type)).toEqual(["install_text"]);
    const ran = ranActions(r.stderr);
    expect(ran).toEqual(
      expect.arrayContaining(["root//t:child strata_phase remove", "root//t:child strata_materialise remove", "root//t:child strata_phase compile", "root//t:child strata_materialise compile"]),
    );
    // phases without features make no action
    expect(ran.filter((a) => /package_manager|genrule|buildinfo_stamp/.test(a))).toEqual([]);
  });

  it("a layer without features makes one compile phase: an empty image", async () => {
    const r = await project.build(["//t:empty", "//t:empty[debug][compile][features]"], ["--verbose"]);
    expect(readJson(outputOf(r, "//t:empty[debug][compile][features]"))).toEqual([]);
    const ran = ranActions(r.stderr).filter((a) => /strata_(phase|materialise|compile)/.test(a));
    expect(ran.sort()).toEqual(["root//t:empty strata_materialise compile", "root//t:empty strata_phase compile"]);
    const bad = await project.local(["build", "//t:empty[debug][remove]"]);
    expect(bad.exitCode).not.toBe(0);
  });

  it("rebuilds only the child's changed phase; an unchanged parent is reused", async () => {
    const childBefore = realpathSync(outputOf(await project.build(["//t:child"]), "//t:child"));
    const parentBefore = realpathSync(outputOf(await project.build(["//t:parent"]), "//t:parent"));
    project.write("t/BUCK", CHAIN.replace("CHILD_TEXT", "CHANGED_TEXT"));
    const second = await project.build(["//t:child", "//t:parent"], ["--verbose"]);
    // the parent and the child's unchanged remove phase are reused; only the child's compile phase runs
    expect(ranActions(second.stderr).sort()).toEqual(["root//t:child strata_materialise compile", "root//t:child strata_phase compile"]);
    expect(realpathSync(outputOf(second, "//t:parent"))).toBe(parentBefore);
    const child = realpathSync(outputOf(second, "//t:child"));
    expect(child).not.toBe(childBefore);
    expect(readFileSync(join(child, "etc/greeting"), "utf8")).toBe("CHANGED_TEXT\n");
  });

  it("a phase that clones from another layer is portable: the source layer comes as its chain, by a token", async () => {
    const r = await project.build(["//t:above-cloned", "//t:cloned[debug][compile][features]"], ["--verbose"]);
    const above = realpathSync(outputOf(r, "//t:above-cloned"));
    expect(readFileSync(join(above, "etc/copy"), "utf8")).toBe("hello\n");
    expect(readFileSync(join(above, "etc/more"), "utf8")).toBe("more\n");
    const ran = ranActions(r.stderr).filter((a) => /cloned/.test(a));
    expect(ran.sort()).toEqual([
      "root//t:above-cloned strata_materialise compile",
      "root//t:above-cloned strata_phase compile",
      "root//t:cloned strata_materialise compile",
      "root//t:cloned strata_phase compile",
    ]);
    const phaseFeatures = readJson<{ type: string; src_layer?: string }[]>(join(project.root, "buck-out/v2/gen/root/t/__cloned__/compile/phase-features.json"));
    expect(phaseFeatures.find((f) => f.type === "clone")?.src_layer).toBe("@layer:0");
    // a clone inside a feature.new group too
    const grouped = await project.build(["//t:cloned-by-group"], ["--verbose"]);
    expect(readFileSync(join(realpathSync(outputOf(grouped, "//t:cloned-by-group")), "etc/grouped"), "utf8")).toBe("hello\n");
    expect(ranActions(grouped.stderr).filter((a) => /cloned-by-group/.test(a)).sort()).toEqual(["root//t:cloned-by-group strata_materialise compile", "root//t:cloned-by-group strata_phase compile"]);
  });

  it("a layer mount keeps its phase local: one strata_compile, and the phases above it too", async () => {
    const r = await project.build(["//t:above-mounted"], ["--verbose"]);
    const ran = ranActions(r.stderr).filter((a) => /mounted/.test(a));
    expect(ran.sort()).toEqual(["root//t:above-mounted strata_compile compile", "root//t:mounted strata_compile compile"]);
  });

  it("exports facts only when [facts] is asked for, in an action of its own", async () => {
    const plain = await project.build(["//t:parent"], ["--verbose"]);
    expect(ranActions(plain.stderr).filter((a) => a.includes("strata_facts"))).toEqual([]);
    const withFacts = await project.build(["//t:parent[facts]"], ["--verbose"]);
    expect(ranActions(withFacts.stderr)).toEqual(["root//t:parent strata_facts compile"]);
    const facts = readJson<{ label: string; paths: { path: string }[] }>(outputOf(withFacts, "//t:parent[facts]"));
    expect(facts.label).toBe("root//t:parent");
    expect(facts.paths.map((p) => p.path)).toContain("/etc/old");
  });
});

describeBtrfs("image.layer errors", () => {
  let project: Project;
  beforeAll(() => {
    project = newProject({
      "bad/BUCK": `${RULES_LOAD}
image.layer(name = "no_parent_dir", features = [feature.install_text(dst = "/missing/dir/file", text = "x")])
image.layer(name = "missing_parent", parent_layer = ":nope")
`,
      "badtype/BUCK": `${RULES_LOAD}
image.layer(name = "x", features = [feature.ensure_dirs_exist(dirs = "/etc", mode = [7])])
`,
      "badattr/BUCK": `${RULES_LOAD}
image.layer(name = "x", features = [feature.remove(path = "/etc", recursive = True)])
`,
      "tuple/BUCK": `${RULES_LOAD}
image.layer(name = "x", features = (feature.ensure_dirs_exist(dirs = "/etc"), feature.ensure_dirs_exist(dirs = "/opt")))
`,
    });
  });

  it("an image error reaches the user with the layer's label", async () => {
    const r = await project.local(["build", "//bad:no_parent_dir"]);
    expect(r.exitCode).not.toBe(0);
    // at the user's feature call (issue 19 item 3)
    expect(String(r.stderr)).toMatch(/^bad\/BUCK:3:49: error: .*bad:no_parent_dir/m);
    expect(String(r.stderr)).toContain("/missing/dir");
  });

  it("a wrong attribute type fails at evaluation on the typed signature, naming the argument and its type", async () => {
    const r = await project.local(["build", "//badtype:x"]);
    expect(r.exitCode).not.toBe(0);
    // feature.ensure_dirs_exist(dirs: str, *, mode: int | str = 0o755, ...): starlark-rust checks the annotation, as Buck2 does
    expect(String(r.stderr)).toMatch(/^badtype\/BUCK:3:\d+: error: /m);
    expect(String(r.stderr)).toContain("Value `[7]` of type `list` does not match the type annotation `int | str` for argument `mode`");
  });

  it("an unknown attribute is a Starlark error naming it", async () => {
    const r = await project.local(["build", "//badattr:x"]);
    expect(r.exitCode).not.toBe(0);
    expect(String(r.stderr)).toMatch(/error:/);
    expect(String(r.stderr)).toContain("recursive");
  });

  it("a tuple of features is accepted like a list (the collecting macro's `-> list` holds for it)", async () => {
    const r = await project.build(["//tuple:x[features]"]);
    const features = readJson<{ type: string; dirs: string }[]>(outputOf(r, "//tuple:x[features]"));
    expect(features.map((f) => f.dirs)).toEqual(["/etc", "/opt"]);
  });

  it("the build phase order is checked when the rules load", async () => {
    const swapped = readFileSync(join(project.root, "rules/private/build_phase.bzl"), "utf8").replace(
      '    "remove",\n    "compile",\n',
      '    "compile",\n    "remove",\n',
    );
    const broken = newProject({ "rules/private/build_phase.bzl": swapped, "t/BUCK": `${RULES_LOAD}image.layer(name = "x")\n` });
    const r = await broken.local(["build", "//t:x"]);
    expect(r.exitCode).not.toBe(0);
    expect(String(r.stderr)).toContain('build phase "remove" must come before "compile"');
  });

  it("a missing parent target is reported with its label", async () => {
    const r = await project.local(["build", "//bad:missing_parent"]);
    expect(r.exitCode).not.toBe(0);
    expect(String(r.stderr)).toMatch(/error:.*bad:nope/);
  });
});
