"""feature.new: a named, reusable group of features."""

load("//rules/private:feature_collection.bzl", "collect_features", "collection_attrs", "resolve_features")
load("//rules/private:providers.bzl", "FeatureInfo")

def _feature_group_impl(ctx: AnalysisContext) -> list[Provider]:
    collected = resolve_features(ctx)
    features_file = ctx.actions.write_json("features.json", collected.features, pretty = True)
    return [
        DefaultInfo(default_output = features_file),
        FeatureInfo(features = collected.features, mounts = collected.mounts, layers = collected.layers),
    ]

strata_feature_group = rule(
    impl = _feature_group_impl,
    attrs = collection_attrs(),
    doc = "A reusable group of features; its default output is the group's features as JSON. Use the feature.new macro.",
)

def new(name, features, visibility = None):
    """Declares a reusable group of features, used by listing its label in another `features` list.

    The features keep the label of this target in messages. Building the target writes the group's features
    as JSON.

    Args:
        name: the target name.
        features: feature.* calls, other feature.new target labels, and (nested) lists of them.
        visibility: Buck2 visibility of the target (e.g. ["PUBLIC"]).
    """
    kwargs = collect_features("feature.new(name = \"{}\")".format(name), features)
    if visibility != None:
        kwargs["visibility"] = visibility
    strata_feature_group(name = name, **kwargs)
