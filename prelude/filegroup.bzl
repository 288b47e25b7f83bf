"""filegroup: a set of sources as one directory output named after the target, as in Buck2's prelude.

`srcs` is a list (each file keeps its path relative to the package) or a dict from path in the output to source.
`copy = True` (default) copies, `copy = False` places relative symlinks. Each entry is also a sub-target.
"""

load(":common_attrs.bzl", "with_common_attrs")

# out dir, then pairs of (path in the output, source path), all relative to the project root (the working directory)
_SCRIPT = """set -e
out=$1; mode=$2; shift 2
mkdir -p "$out"
while [ $# -gt 0 ]; do
  case "$1" in /*|..|../*|*/../*|*/..) echo "error: filegroup: entry \\"$1\\" must be a relative path without \\"..\\"" >&2; exit 1;; esac
  mkdir -p "$out/$(dirname "$1")"
  if [ "$mode" = copy ]; then cp -R "$2" "$out/$1"; else ln -sr "$2" "$out/$1"; fi
  shift 2
done
"""

def _entries(srcs) -> dict:
    if type(srcs) == "dict":
        return srcs
    entries = {}
    for s in srcs:
        entries[s.short_path] = s
    return entries

def _filegroup_impl(ctx: AnalysisContext) -> list[Provider]:
    entries = _entries(ctx.attrs.srcs)
    out = ctx.actions.declare_output(ctx.label.name, dir = True)
    pairs = []
    for path in sorted(entries.keys()):
        pairs.extend([path, entries[path]])
    ctx.actions.run(
        cmd_args("/bin/sh", "-c", _SCRIPT, "sh", out.as_output(), "copy" if ctx.attrs.copy else "symlink", pairs),
        category = "filegroup",
    )
    return [DefaultInfo(
        default_output = out,
        sub_targets = {path: [DefaultInfo(default_output = out.project(path))] for path in entries},
    )]

filegroup = rule(
    impl = _filegroup_impl,
    attrs = with_common_attrs({
        "copy": attrs.bool(default = True, doc = "Copy the files (True) or symlink them (False)."),
        "srcs": attrs.one_of(
            attrs.list(attrs.source(allow_directory = True)),
            attrs.dict(attrs.string(), attrs.source(allow_directory = True)),
            default = [],
            doc = "The files: a list, or a dict from path in the output to source.",
        ),
    }),
    doc = "A set of files as one directory.",
)
