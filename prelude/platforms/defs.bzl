"""A platform that is both the target platform and the (local-only) execution platform.

strata's actions publish btrfs subvolumes on this machine, so nothing runs remotely. Persistent workers are on:
the runner's actions go to one `strata worker` process per build instead of starting Node for each.
"""

def _local_platform_impl(ctx: AnalysisContext) -> list[Provider]:
    configuration = ConfigurationInfo(constraints = {}, values = {})
    execution = ExecutionPlatformInfo(
        label = ctx.label.raw_target(),
        configuration = configuration,
        executor_config = CommandExecutorConfig(
            local_enabled = True,
            remote_enabled = False,
            use_limited_hybrid = False,
            # actions whose exe is a WorkerRunInfo (the strata runner's) go to one long-lived worker per build
            use_persistent_workers = ctx.attrs.persistent_workers,
        ),
    )
    return [
        DefaultInfo(),
        PlatformInfo(label = str(ctx.label.raw_target()), configuration = configuration),
        ExecutionPlatformRegistrationInfo(platforms = [execution]),
    ]

local_platform = rule(
    impl = _local_platform_impl,
    attrs = {
        "persistent_workers": attrs.bool(
            default = True,
            doc = "Run actions that offer a worker (the strata runner's) on one persistent worker per build.",
        ),
    },
    doc = "The local machine as target and execution platform, local execution only, no remote cache, persistent workers on.",
)
