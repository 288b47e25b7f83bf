"""Providers of the strata rules."""

LayerInfo = provider(
    doc = "A built image layer.",
    fields = [
        "label",  # str: the layer's target label
        "subvol",  # artifact: the layer's output, a symlink to the read-only subvolume
        "facts",  # artifact: the facts (JSON) of the finished layer
        "parent",  # LayerInfo | None
        "features",  # list[dict]: this layer's own features as written to the features files
        "mounts",  # list[dict]: {mountpoint, source (artifact), source_label}, the parent's included
        "diff",  # struct(tar, blobs): this layer's changes against its parent (rules/package/diff.bzl)
    ],
)

FeatureInfo = provider(
    doc = "A reusable group of features (feature.new).",
    fields = [
        "features",  # list[dict]: resolved features (artifacts in place of sources and layers)
        "mounts",  # list[dict]: layer mounts among them, as in LayerInfo.mounts
    ],
)
