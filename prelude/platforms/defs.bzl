"""A platform that is both the target platform and the execution platform.

By default everything runs on this machine, with no remote cache: strata's layer actions publish btrfs subvolumes
here. `[strata] remote` (set by remote/cache.buckconfig or remote/execute.buckconfig, see docs/remote.md) turns on a
remote-execution service given by `[buck2_re_client]`:

- `cache`: actions still run here, but Buck2 first looks each one up in the service's action cache and uploads what
  it ran (actions that allow it: `[buck2] default_allow_cache_upload`), so a cleaned buck-out, a second checkout or
  another machine gets cache hits.
- `execute`: also runs the actions on the service's workers (limited hybrid: remote first, no local race); the
  cache works as above.

`local_only = True` actions (the ones that touch this machine's btrfs volume) run here in every mode; they also
pass `allow_cache_upload = False`, so their results never reach the cache. Persistent workers are on for what runs
here: the runner's actions go to one `strata worker` process per build instead of starting Node for each. A remote
worker runs the runner's actions as plain commands (`node bin/strata.mjs SUBCOMMAND ...`).
"""

REMOTE_MODES = ["", "cache", "execute"]

def remote_execution_properties(isa: str) -> dict[str, str]:
    """What an action asks of a remote worker. remote/nativelink.json5's worker offers exactly these."""
    return {
        # a worker that has what strata's actions need: node, btrfs-progs, bubblewrap, tar
        "strata-worker": "1",
        "OSFamily": "linux",
        "ISA": isa,
    }

def _executor_config(remote: str, persistent_workers: bool, isa: str):
    if remote == "":
        return CommandExecutorConfig(
            local_enabled = True,
            remote_enabled = False,
            use_limited_hybrid = False,
            # actions whose exe is a WorkerRunInfo (the strata runner's) go to one long-lived worker per build
            use_persistent_workers = persistent_workers,
        )

    # The same properties, use case and output-path style in both modes: they are part of every action's digest,
    # so an action run remotely by one build is a cache hit for a cache-only build, and the other way round.
    shared = dict(
        remote_cache_enabled = True,
        allow_cache_uploads = True,
        remote_execution_properties = remote_execution_properties(isa),
        remote_execution_use_case = "buck2-default",
        remote_output_paths = "output_paths",
        use_persistent_workers = persistent_workers,
    )
    if remote == "cache":
        return CommandExecutorConfig(
            local_enabled = True,
            remote_enabled = False,
            **shared
        )
    return CommandExecutorConfig(
        local_enabled = True,
        remote_enabled = True,
        # remote first; local only for local_only actions (no race between the two, no fallback that would hide
        # a worker that cannot run our actions)
        use_limited_hybrid = True,
        **shared
    )

def _local_platform_impl(ctx: AnalysisContext) -> list[Provider]:
    if ctx.attrs.remote not in REMOTE_MODES:
        fail("[strata] remote = \"{}\": expected one of cache, execute or nothing (local only)".format(ctx.attrs.remote))
    configuration = ConfigurationInfo(constraints = {}, values = {})
    execution = ExecutionPlatformInfo(
        label = ctx.label.raw_target(),
        configuration = configuration,
        executor_config = _executor_config(ctx.attrs.remote, ctx.attrs.persistent_workers, ctx.attrs.isa),
    )
    return [
        DefaultInfo(),
        PlatformInfo(label = str(ctx.label.raw_target()), configuration = configuration),
        ExecutionPlatformRegistrationInfo(platforms = [execution]),
    ]

local_platform = rule(
    impl = _local_platform_impl,
    attrs = {
        "isa": attrs.string(
            default = "x86-64",
            doc = "The instruction set remote workers must have (the `ISA` platform property).",
        ),
        "persistent_workers": attrs.bool(
            default = True,
            doc = "Run actions that offer a worker (the strata runner's) on one persistent worker per build.",
        ),
        "remote": attrs.string(
            default = "",
            doc = "\"\" (local only), \"cache\" (remote cache, local execution) or \"execute\" (remote execution and cache).",
        ),
    },
    doc = "This machine as target and execution platform: local execution with persistent workers, plus a remote cache or remote execution when `remote` says so.",
)
