"""Providers of the strata rules. Every field is typed (`provider_field`), as in Buck2's prelude."""

LayerInfo = provider(
    doc = "A built image layer.",
    fields = {
        "label": provider_field(str),  # the layer's target label
        "subvol": provider_field(Artifact),  # the layer's output, a symlink to the read-only subvolume
        "facts": provider_field(Artifact),  # the facts (JSON) of the finished layer
        "parent": provider_field(Provider | None),  # the parent layer's LayerInfo, or None
        "features": provider_field(list[dict]),  # this layer's own features as written to the features files
        "mounts": provider_field(list[dict]),  # {mountpoint, source (artifact), source_label}, the parent's included
        "diff": provider_field(typing.Any),  # struct(tar, blobs): this layer's changes against its parent (rules/private/package/diff.bzl)
        # struct(key, diff, record) of every portable phase from the first layer's first up to this layer's last, or
        # None when a phase of the chain was built only locally (its children then build locally too)
        "chain": provider_field(list | None, default = None),
    },
)

FeatureInfo = provider(
    doc = "A reusable group of features (feature.new).",
    fields = {
        "features": provider_field(list[dict]),  # resolved features (artifacts in place of sources and layers)
        "mounts": provider_field(list[dict]),  # layer mounts among them, as in LayerInfo.mounts
        "layers": provider_field(list, default = []),  # the LayerInfo of every layer they name (portable phases read their chains)
    },
)
