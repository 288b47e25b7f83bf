"""The strata toolchain: how actions run the strata runner (node + bin/strata.mjs).

The toolchain target is `//:toolchain` in the strata cell (the BUCK file at the repository root), so the
rules name it cell-relatively and find it both when strata is the root project and when it is a cell of
another project.
"""

StrataToolchainInfo = provider(
    doc = "How to run the strata runner.",
    fields = {
        "runner": provider_field(RunInfo),  # `node <strata>/bin/strata.mjs`; actions append the subcommand and its flags
        "worker": provider_field(WorkerInfo),  # `runner worker`, the one persistent worker of a build (see worker_run_exe)
        # the environment layer actions set themselves instead of inheriting it from the Buck2 daemon: it is part of
        # the action's digest, so a remote worker and a cache hit see the same values as a local run
        "env": provider_field(dict[str, str], default = {}),
    },
)

def _strata_toolchain_impl(ctx: AnalysisContext) -> list[Provider]:
    runner = cmd_args(ctx.attrs.node, ctx.attrs.entry, hidden = ctx.attrs.runtime)

    # Made once here, in the toolchain, so every action of a build shares one worker process (Buck2 keys workers
    # by WorkerInfo instance). Buck2 sends a worker the action's arguments as they are (no argfile).
    worker = WorkerInfo(
        exe = cmd_args(runner, "worker"),
        concurrency = ctx.attrs.worker_concurrency,
    )
    return [
        DefaultInfo(default_output = ctx.attrs.entry),
        StrataToolchainInfo(
            runner = RunInfo(args = runner),
            worker = worker,
            env = {"SOURCE_DATE_EPOCH": ctx.attrs.source_date_epoch},
        ),
    ]

def worker_run_exe(toolchain):
    """The `exe` of a runner action: ctx.actions.run(cmd_args("compile", ...), exe = worker_run_exe(toolchain)).

    Where the execution platform has persistent workers, Buck2 sends the action's arguments (the subcommand and its
    flags) to the build's one `strata worker`; elsewhere it runs the runner with them, as before.
    Made during the calling rule's analysis: Buck2 (at the pinned commit) cannot run an action whose WorkerRunInfo
    came frozen from another target (it panics reading the frozen `exe`), so the toolchain hands out the parts.
    """
    return WorkerRunInfo(worker = toolchain.worker, exe = cmd_args(toolchain.runner))

def run_here(ctx: AnalysisContext, cmd, category: str, **kwargs):
    """Declares an action that reads or writes this machine's working volume (a subvolume, or an OUT symlink into it).

    It is local_only and never uploaded to a remote cache: a hit on another machine, or after `strata clean`, would
    be a link to a tree that is not there (docs/remote.md). It runs with the toolchain's environment, set on the
    action rather than inherited. `kwargs` go to ctx.actions.run (identifier, exe, ...).
    """
    ctx.actions.run(
        cmd,
        category = category,
        env = ctx.attrs._strata_toolchain[StrataToolchainInfo].env,
        local_only = True,
        allow_cache_upload = False,
        **kwargs
    )

strata_toolchain = rule(
    impl = _strata_toolchain_impl,
    is_toolchain_rule = True,
    doc = "Provides StrataToolchainInfo: the command that runs the strata runner.",
    attrs = {
        "node": attrs.string(
            default = "node",
            doc = "The Node.js executable (>= 20): a name looked up in PATH (the Buck2 daemon's here, the worker's on a remote-execution worker), or an absolute path. Part of every runner action's digest: machines that share a remote cache need the same value (`[strata] node`).",
        ),
        "source_date_epoch": attrs.string(
            default = "0",
            doc = "SOURCE_DATE_EPOCH of every layer action (the mtime of what a feature writes), set on the action rather than inherited, so a cached or remote result is the one a local run gives (`[strata] source_date_epoch`).",
        ),
        "entry": attrs.source(doc = "The runner's entry script, bin/strata.mjs."),
        "runtime": attrs.list(
            attrs.source(),
            default = [],
            doc = "Further files the runner executes (its compiled JavaScript): inputs of every action, so a new runner rebuilds the images.",
        ),
        "worker_concurrency": attrs.int(
            default = 4,
            doc = "How many actions the persistent `strata worker` runs at once (Buck2 queues the rest). Layer actions mostly wait on the disk, so a few more than the cores is fine.",
        ),
    },
)
