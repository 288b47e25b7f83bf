"""The diff of a layer against its parent, as Buck2 artifacts of the layer itself (so every image built on a
layer shares its digest): `diff.tar` (the layer's changes, whiteouts for removals; see docs/packaging.md) and one
OCI layer blob per compression, each with its descriptor (digest, size, diff_id). Actions run only when asked for.
"""

load("//rules/private:debian.bzl", "DebianLayerInfo", "FlavorInfo")
load("//rules/private:toolchain.bzl", "StrataToolchainInfo", "run_here")

# compression -> file suffix of the blob
DIFF_COMPRESSIONS = {
    "gzip": ".gz",
    "none": "",
    "zstd": ".zst",
}

def _appliance_args(ctx) -> list:
    """`--appliance OUT` when the layer's flavor (its own or its parent's) has a build appliance."""
    flavor = ctx.attrs.flavor[FlavorInfo] if getattr(ctx.attrs, "flavor", None) != None else None
    if flavor == None and getattr(ctx.attrs, "parent_layer", None) != None:
        debian = ctx.attrs.parent_layer.get(DebianLayerInfo)
        flavor = debian.flavor if debian != None else None
    if flavor == None or flavor.build_appliance == None:
        return []
    return ["--appliance", flavor.build_appliance.subvol]

def layer_diff_actions(ctx, runner, label: str, out, parent) -> struct:
    """Declares the diff actions of the layer whose final output is `out` (`parent`: the parent's LayerInfo or None)."""
    appliance = _appliance_args(ctx)
    diff_tar = ctx.actions.declare_output("package/diff.tar")
    # `btrfs send` between two subvolumes of this machine's working volume
    run_here(
        ctx,
        cmd_args(
            runner,
            "package",
            "layer-diff",
            "--label",
            label,
            "--layer",
            out,
            ["--parent", parent.subvol] if parent != None else [],
            "--out",
            diff_tar.as_output(),
            appliance,
        ),
        category = "strata_layer_diff",
    )
    blobs = {}
    for compression, suffix in DIFF_COMPRESSIONS.items():
        blob = ctx.actions.declare_output("package/blob.tar" + suffix)
        descriptor = ctx.actions.declare_output("package/blob.tar" + suffix + ".json")
        ctx.actions.run(
            cmd_args(
                runner,
                "package",
                "layer-blob" + suffix,
                "--label",
                label,
                "--diff",
                diff_tar,
                "--out",
                blob.as_output(),
                "--descriptor-out",
                descriptor.as_output(),
                appliance,
            ),
            category = "strata_layer_blob",
            env = ctx.attrs._strata_toolchain[StrataToolchainInfo].env,  # set here, not inherited (docs/remote.md)
            identifier = compression,
        )
        blobs[compression] = struct(blob = blob, descriptor = descriptor)
    return struct(tar = diff_tar, blobs = blobs)
