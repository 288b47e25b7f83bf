"""export_file: one source file (or directory) as a target, as in Buck2's prelude.

`mode = "copy"` (the default) copies `src` to `out` (default: the target name) in buck-out; `mode = "reference"`
gives the source itself as the output and allows no `out`. The `native.export_file` macro defaults `src` to `name`.
"""

load(":common_attrs.bzl", "with_common_attrs")

def _export_file_impl(ctx: AnalysisContext) -> list[Provider]:
    if ctx.attrs.mode == "reference":
        if ctx.attrs.out != None:
            fail("export_file {}: `out` needs `mode = \"copy\"` (found mode = \"reference\")".format(ctx.label.raw_target()))
        return [DefaultInfo(default_output = ctx.attrs.src)]
    dest = ctx.attrs.out if ctx.attrs.out != None else ctx.label.name
    return [DefaultInfo(default_output = ctx.actions.copy_file(dest, ctx.attrs.src))]

export_file = rule(
    impl = _export_file_impl,
    attrs = with_common_attrs({
        "mode": attrs.option(attrs.enum(["reference", "copy"]), default = None, doc = "\"copy\" (default) or \"reference\"."),
        "out": attrs.option(attrs.string(), default = None, doc = "Name of the copy (default: the target name)."),
        "src": attrs.option(attrs.source(allow_directory = True), default = None, doc = "The file to export (the macro defaults it to `name`)."),
    }),
    doc = "Exposes one file of the package as a target.",
)

def export_file_macro(name, src = None, **kwargs):
    """export_file with `src` defaulting to `name`, as Buck2's prelude macro does."""
    export_file(name = name, src = name if src == None else src, **kwargs)
