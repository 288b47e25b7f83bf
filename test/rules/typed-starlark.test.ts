// Typed Starlark: the rules' types (feature signatures, provider fields, rule impls) are checked by the local driver
// as Buck2 checks them, not dropped. (The same wrongly-typed feature calls under real Buck2: test/buck2/fixtures.ts,
// bad_mode, bad_positional_type, keyword_only_given_positionally.)
import { beforeAll, expect, it } from "vitest";
import { describeBtrfs } from "../helpers/volume.js";
import { newProject, RULES_LOAD, type Project } from "./project.js";

const PROVIDER_BZL = `load("//rules:defs.bzl", "LayerInfo")

def _bad_layer_impl(ctx: AnalysisContext) -> list[Provider]:
    out = ctx.actions.write("x.txt", "x")
    return [DefaultInfo(default_output = out), LayerInfo(label = "//t:x", subvol = "not an artifact", facts = out, parent = None, features = [], mounts = [], diff = None)]

bad_layer = rule(impl = _bad_layer_impl, attrs = {})

def _takes_artifact(a: Artifact) -> Artifact:
    return a

def _bad_artifact_impl(ctx: AnalysisContext) -> list[Provider]:
    _takes_artifact("a string")
    return [DefaultInfo()]

bad_artifact = rule(impl = _bad_artifact_impl, attrs = {})
`;

describeBtrfs("typed Starlark under the local driver", () => {
  let project: Project;
  beforeAll(() => {
    project = newProject({
      "t/defs.bzl": PROVIDER_BZL,
      "t/BUCK": `load(":defs.bzl", "bad_artifact", "bad_layer")\nbad_layer(name = "layer")\nbad_artifact(name = "artifact")\n`,
      "f/BUCK": `${RULES_LOAD}image.layer(name = "x", features = [feature.remove("/etc", True)])\n`,
      "ok/BUCK": `${RULES_LOAD}image.layer(name = "x", parent_layer = "//base:shell", features = [feature.ensure_subdirs_exist("/", "output", user = "nobody"), feature.install_text("hi\\n", "/output/_temp_foo"), feature.remove("/etc/motd", must_exist = False)])\n`,
    });
  });

  it("a provider field's type is checked when the provider is made (LayerInfo.subvol: Artifact)", async () => {
    const r = await project.local(["build", "//t:layer"]);
    expect(r.exitCode).not.toBe(0);
    expect(String(r.stderr)).toContain('Value `not an artifact` of type `string` does not match the type annotation');
    expect(String(r.stderr)).toContain("field `subvol` of provider `LayerInfo`");
  });

  it("Buck2's Artifact type is checked in annotations (a string is not an Artifact)", async () => {
    const r = await project.local(["build", "//t:artifact"]);
    expect(r.exitCode).not.toBe(0);
    expect(String(r.stderr)).toContain("Value `a string` of type `string` does not match the type annotation");
    expect(String(r.stderr)).toContain("for argument `a`");
  });

  it("a feature's keyword-only argument given positionally is an error", async () => {
    const r = await project.local(["build", "//f:x"]);
    expect(r.exitCode).not.toBe(0);
    expect(String(r.stderr)).toMatch(/^f\/BUCK:2:\d+: error: /m);
    expect(String(r.stderr)).toContain("extra positional argument");
  });

  it("the seeds' positional calls evaluate", async () => {
    const r = await project.local(["build", "//ok:x"]);
    expect(String(r.stderr)).not.toContain("error:");
    expect(r.exitCode).toBe(0);
  });
});
