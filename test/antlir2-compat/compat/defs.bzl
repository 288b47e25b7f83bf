"""Stand-ins for the generic (non-antlir2) rules antlir2's feature tests load from Meta's build_defs and testing
cells, so those BUCK files evaluate in a strata project with only their load lines changed.

- `buck_genrule(name, cmd, out)`: a plain Buck2 genrule: runs `cmd` with /bin/sh, `$OUT` naming the output
  (a file, or a directory the command creates; `out = "."` means a directory made for the command).
- `export_file(name, src)`: a target whose output is the source file `src`.
- `image_diff_test(name, layer, diff, diff_type)`: names a layer and antlir2's TOML of what it must change
  relative to its parent; its output is a JSON manifest that test/antlir2-compat/compat.test.ts checks the
  built layer against.
"""

load("//rules:defs.bzl", "LayerInfo")

def _genrule_impl(ctx):
    is_dir = ctx.attrs.out in (".", "")
    out = ctx.actions.declare_output("out" if is_dir else ctx.attrs.out, dir = is_dir)
    script = ("mkdir -p \"$OUT\"\n" if is_dir else "") + ctx.attrs.cmd
    ctx.actions.run(
        cmd_args(["/bin/sh", "-c", script]),
        env = {"OUT": out.as_output()},
        category = "buck_genrule",
    )
    return [DefaultInfo(default_output = out)]

_buck_genrule = rule(
    impl = _genrule_impl,
    attrs = {
        "cmd": attrs.string(doc = "shell script; $OUT is the output path"),
        "out": attrs.string(default = "out", doc = "output name; \".\" for a directory"),
        "executable": attrs.bool(default = False, doc = "accepted for compatibility; unused"),
    },
)

def buck_genrule(name, cmd, out = "out", executable = False, visibility = None):
    _buck_genrule(name = name, cmd = cmd, out = out, executable = executable, visibility = visibility or ["PUBLIC"])

def _export_file_impl(ctx):
    return [DefaultInfo(default_output = ctx.attrs.src)]

_export_file = rule(impl = _export_file_impl, attrs = {"src": attrs.source()})

def export_file(name, src = None, visibility = None):
    _export_file(name = name, src = src if src != None else name, visibility = visibility or ["PUBLIC"])

def _diff_impl(ctx):
    info = ctx.attrs.layer[LayerInfo]
    manifest = ctx.actions.write_json("image_diff_test.json", {
        "diff": ctx.attrs.diff,
        "diff_type": ctx.attrs.diff_type,
        "layer": info.subvol,
        "layer_label": info.label,
        "parent": info.parent.subvol if info.parent != None else None,
    })
    return [DefaultInfo(default_output = manifest)]

image_diff_test = rule(
    impl = _diff_impl,
    attrs = {
        "diff": attrs.source(),
        "diff_type": attrs.string(default = "file"),
        "layer": attrs.dep(providers = [LayerInfo]),
    },
)

def _alias_impl(ctx):
    return ctx.attrs.actual.providers

_alias = rule(impl = _alias_impl, attrs = {"actual": attrs.dep()})

def alias(name, actual, visibility = None):
    """A second name for a target (Buck2's alias): same providers."""
    _alias(name = name, actual = actual, visibility = visibility or ["PUBLIC"])
