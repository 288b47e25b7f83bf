// select() in an image.layer's features list (issue 13 item 9), as antlir2 takes it: a branch is a feature, a list
// of features or None. Buck2 resolves it when the target is configured (a target platform with the branch's
// constraint picks that branch); the local driver, which has no configuration, takes DEFAULT, and both build the
// same tree. Features before, between and after select()s keep their order and their phases.
import { expect, it } from "vitest";
import { RULES_LOAD, describeBuck2, tree, useTwin, Outputs } from "./harness.js";

const CFG_DEFS = `def _setting_impl(ctx):
    return [DefaultInfo(), ConstraintSettingInfo(label = ctx.label.raw_target())]

constraint_setting = rule(impl = _setting_impl, attrs = {}, is_configuration_rule = True)

def _value_impl(ctx):
    setting = ctx.attrs.setting[ConstraintSettingInfo]
    value = ConstraintValueInfo(setting = setting, label = ctx.label.raw_target())
    return [DefaultInfo(), value, ConfigurationInfo(constraints = {setting.label: value}, values = {})]

constraint_value = rule(impl = _value_impl, attrs = {"setting": attrs.dep(providers = [ConstraintSettingInfo])}, is_configuration_rule = True)

def _platform_impl(ctx):
    v = ctx.attrs.value[ConstraintValueInfo]
    return [DefaultInfo(), PlatformInfo(label = str(ctx.label.raw_target()), configuration = ConfigurationInfo(constraints = {v.setting.label: v}, values = {}))]

platform = rule(impl = _platform_impl, attrs = {"value": attrs.dep(providers = [ConstraintValueInfo])}, is_configuration_rule = True)
`;

const CFG_BUCK = `load(":defs.bzl", "constraint_setting", "constraint_value", "platform")
constraint_setting(name = "arch")
constraint_value(name = "arm", setting = ":arch")
platform(name = "arm_platform", value = ":arm")
`;

const LAYERS = `${RULES_LOAD}
image.layer(
    name = "base",
    features = [
        feature.ensure_dirs_exist(dirs = "/etc"),
        feature.install_text(dst = "/etc/hostname", text = "h\\n"),
    ],
)

image.layer(
    name = "sel",
    parent_layer = ":base",
    features = [
        feature.install_text(dst = "/etc/always", text = "a\\n"),
        select({
            "DEFAULT": feature.install_text(dst = "/etc/default-only", text = "d\\n"),
            "//sel/cfg:arm": [feature.install_text(dst = "/etc/arm-only", text = "arm\\n"), None],
        }),
        feature.ensure_dirs_exist(dirs = "/srv/mid"),
        select({
            "DEFAULT": [feature.remove(path = "/etc/hostname"), feature.install_text(dst = "/srv/mid/second", text = "s\\n")],
            "//sel/cfg:arm": None,
        }),
        None,
    ],
)
`;

const BAD = `${RULES_LOAD}
image.layer(
    name = "no_default",
    features = [select({"//sel/cfg:arm": feature.install_text(dst = "/etc/arm-only", text = "arm\\n")})],
)
`;

const NESTED = `${RULES_LOAD}
image.layer(
    name = "nested",
    features = [select({"DEFAULT": [select({"DEFAULT": None})]})],
)
`;

const paths = (lines: string[]): string[] => lines.map((l) => l.split(" ")[0]!);

describeBuck2("select() in the features list", () => {
  const twin = useTwin({ "sel/BUCK": LAYERS, "sel/cfg/BUCK": CFG_BUCK, "sel/cfg/defs.bzl": CFG_DEFS, "sel/bad/BUCK": BAD, "sel/nested/BUCK": NESTED });

  it("without a platform both take DEFAULT and build the same tree, the selected features in their phases", async () => {
    await twin().expectSameLayers(["//sel:sel"]);
    const out = await twin().build(["//sel:sel"]);
    const got = paths(tree(out.buck2.of("//sel:sel")));
    expect(got).toEqual(expect.arrayContaining(["/etc/always", "/etc/default-only", "/srv/mid", "/srv/mid/second"]));
    expect(got).not.toContain("/etc/arm-only");
    expect(got).not.toContain("/etc/hostname"); // the remove from the second select() ran in the remove phase
  });

  it("Buck2 with a target platform that has the constraint takes that branch", async () => {
    const r = await twin().buck2.run(["build", "//sel:sel", "--target-platforms", "//sel/cfg:arm_platform", "--show-output"]);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const got = paths(tree(Outputs.parse(String(r.stdout), twin().buck2.root).of("//sel:sel")));
    expect(got).toEqual(expect.arrayContaining(["/etc/always", "/etc/arm-only", "/etc/hostname", "/srv/mid"]));
    expect(got).not.toContain("/etc/default-only");
    expect(got).not.toContain("/srv/mid/second");
  });

  it("the local driver names the target when no branch is DEFAULT; a select() inside a select() is refused by both", async () => {
    const local = await twin().local.run(["build", "//sel/bad:no_default"]);
    expect(local.exitCode).not.toBe(0);
    expect(String(local.stderr)).toMatch(/^sel\/bad\/BUCK:\d+:\d+: error: root\/\/sel\/bad:no_default: attribute `features`: select\(\) without a "DEFAULT" branch/m);
    for (const tool of [twin().buck2, twin().local]) {
      const r = await tool.run(["build", "//sel/nested:nested"]);
      expect(r.exitCode).not.toBe(0);
      expect(String(r.stderr)).toContain("holds a select() inside a select()");
    }
  });
});
