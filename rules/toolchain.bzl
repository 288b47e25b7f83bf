"""The strata toolchain: how actions run the strata runner (node + bin/strata.mjs).

The toolchain target is `//:toolchain` in the strata cell (the BUCK file at the repository root), so the
rules name it cell-relatively and find it both when strata is the root project and when it is a cell of
another project.
"""

StrataToolchainInfo = provider(
    doc = "How to run the strata runner.",
    fields = [
        "runner",  # RunInfo: `node <strata>/bin/strata.mjs`; actions append the subcommand and its flags
    ],
)

def _strata_toolchain_impl(ctx) -> list:
    runner = cmd_args(ctx.attrs.node, ctx.attrs.entry, hidden = ctx.attrs.runtime)
    return [
        DefaultInfo(default_output = ctx.attrs.entry),
        StrataToolchainInfo(runner = RunInfo(args = runner)),
    ]

strata_toolchain = rule(
    impl = _strata_toolchain_impl,
    is_toolchain_rule = True,
    doc = "Provides StrataToolchainInfo: the command that runs the strata runner.",
    attrs = {
        "node": attrs.string(
            default = "node",
            doc = "The Node.js executable (>= 20): a name looked up in the PATH of the Buck2 daemon, or an absolute path.",
        ),
        "entry": attrs.source(doc = "The runner's entry script, bin/strata.mjs."),
        "runtime": attrs.list(
            attrs.source(),
            default = [],
            doc = "Further files the runner executes (its compiled JavaScript): inputs of every action, so a new runner rebuilds the images.",
        ),
    },
)
