"""A platform that is both the target platform and the (local-only) execution platform.

strata's actions publish btrfs subvolumes on this machine, so nothing runs remotely.
"""

def _local_platform_impl(ctx) -> list:
    configuration = ConfigurationInfo(constraints = {}, values = {})
    execution = ExecutionPlatformInfo(
        label = ctx.label.raw_target(),
        configuration = configuration,
        executor_config = CommandExecutorConfig(
            local_enabled = True,
            remote_enabled = False,
            use_limited_hybrid = False,
        ),
    )
    return [
        DefaultInfo(),
        PlatformInfo(label = str(ctx.label.raw_target()), configuration = configuration),
        ExecutionPlatformRegistrationInfo(platforms = [execution]),
    ]

local_platform = rule(
    impl = _local_platform_impl,
    attrs = {},
    doc = "The local machine as target and execution platform, local execution only, no remote cache.",
)
