"""genrule: a shell command that makes files, as in Buck2's prelude.

The command (`bash`, else `cmd`) runs under `bash -e` in a directory holding the sources (`srcs`), with `$OUT`
(the output path: `out`, or the directory of `outs`), `$SRCDIR`, `$SRCS` (separated by
`environment_expansion_separator`, default a space), `$TMP` and the `env` entries. Buck2's `$(location ...)` and
other `$(...)` macros are not expanded by this prelude: a command using one is refused at analysis.
"""

load(":common_attrs.bzl", "with_common_attrs")

_MACROS = ["$(location ", "$(exe ", "$(location-exec ", "$(query_targets ", "$(query_outputs ", "$(query_targets_and_outputs ", "$(classpath ", "$(maven_coords ", "$(output "]

# argv: OUT-path outs-mode(dir|file) separator then pairs (name, source path); the user's command follows this prologue
_PROLOGUE = """root=$PWD
OUT=$root/$1; out_kind=$2; sep=$3; shift 3
SRCDIR=$root/$BUCK_SCRATCH_PATH/genrule-srcs
rm -rf "$SRCDIR"; mkdir -p "$SRCDIR"
SRCS=
while [ $# -gt 0 ]; do
  mkdir -p "$SRCDIR/$(dirname "$1")"
  ln -s "$root/$2" "$SRCDIR/$1"
  SRCS=${SRCS:+$SRCS$sep}$SRCDIR/$1
  shift 2
done
if [ "$out_kind" = dir ]; then mkdir -p "$OUT"; else mkdir -p "$(dirname "$OUT")"; fi
export OUT SRCDIR SRCS TMP=${TMPDIR:-/tmp}
cd "$SRCDIR"
"""

def _sources(srcs) -> dict:
    if type(srcs) == "dict":
        return srcs
    return {s.short_path: s for s in srcs}

def _genrule_impl(ctx: AnalysisContext) -> list[Provider]:
    where = "genrule {}".format(ctx.label.raw_target())
    cmd = ctx.attrs.bash if ctx.attrs.bash != None else ctx.attrs.cmd
    if cmd == None:
        fail("{}: one of `cmd` or `bash` must be set".format(where))
    for m in _MACROS:
        if m in cmd:
            fail("{}: the command uses the Buck2 macro `{}...)`, which strata's prelude does not expand; use `srcs` and $SRCS/$SRCDIR".format(where, m))
    if (ctx.attrs.out == None) == (ctx.attrs.outs == None):
        fail("{}: exactly one of `out` and `outs` must be set".format(where))

    if ctx.attrs.out != None:
        out = ctx.actions.declare_output("out", ctx.attrs.out)
        default_outputs = [out]
        named = {}
    else:
        out = ctx.actions.declare_output("out", dir = True)
        named = {k: [out.project(p) for p in paths] for k, paths in ctx.attrs.outs.items()}
        default_outputs = [out.project(p) for p in (ctx.attrs.default_outs or [])] or [out]

    script = ctx.actions.write("sh/genrule.sh", _PROLOGUE + cmd + "\n", is_executable = True)
    pairs = []
    sources = _sources(ctx.attrs.srcs)
    for name in sorted(sources.keys()):
        pairs.extend([name, sources[name]])
    category = "genrule" if ctx.attrs.type == None else "genrule_" + ctx.attrs.type.replace("-", "_").replace(".", "_")
    ctx.actions.run(
        cmd_args(
            "/usr/bin/env",
            "bash",
            "-e",
            script,
            out.as_output(),
            "file" if ctx.attrs.out != None else "dir",
            ctx.attrs.environment_expansion_separator or " ",
            pairs,
        ),
        env = dict(ctx.attrs.env),
        category = category,
        weight = ctx.attrs.weight or 1,
    )
    providers = [DefaultInfo(
        default_outputs = default_outputs,
        sub_targets = {k: [DefaultInfo(default_outputs = v)] for k, v in named.items()},
    )]
    if ctx.attrs.executable:
        providers.append(RunInfo(args = cmd_args(default_outputs)))
    return providers

genrule = rule(
    impl = _genrule_impl,
    attrs = with_common_attrs({
        "bash": attrs.option(attrs.string(), default = None, doc = "The command (preferred over `cmd`)."),
        "cacheable": attrs.option(attrs.bool(), default = None, doc = "Accepted; the result is cached like any action."),
        "cmd": attrs.option(attrs.string(), default = None, doc = "The command, run by bash."),
        "default_outs": attrs.option(attrs.list(attrs.string()), default = None, doc = "With `outs`: the default outputs."),
        "env": attrs.dict(attrs.string(), attrs.string(), default = {}, doc = "Extra environment variables."),
        "environment_expansion_separator": attrs.option(attrs.string(), default = None, doc = "Separator of $SRCS (default \" \")."),
        "executable": attrs.option(attrs.bool(), default = None, doc = "The output can be run (`buck2 run`)."),
        "out": attrs.option(attrs.string(), default = None, doc = "The output file (or directory) name."),
        "outs": attrs.option(attrs.dict(attrs.string(), attrs.list(attrs.string())), default = None, doc = "Named outputs: name -> paths under $OUT."),
        "srcs": attrs.one_of(
            attrs.list(attrs.source(allow_directory = True)),
            attrs.dict(attrs.string(), attrs.source(allow_directory = True)),
            default = [],
            doc = "Inputs, placed in $SRCDIR (a list keeps package-relative paths).",
        ),
        "type": attrs.option(attrs.string(), default = None, doc = "Suffix of the action category (genrule_<type>)."),
        "weight": attrs.option(attrs.int(), default = None, doc = "Local concurrency slots the command takes."),
    }),
    doc = "Runs a shell command that writes $OUT.",
)
