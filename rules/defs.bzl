"""Public API of strata: `image`, `feature` and `image_test`.

    load("@strata//rules:defs.bzl", "feature", "image", "image_test")   # strata as a cell of your project
    load("//rules:defs.bzl", "feature", "image", "image_test")          # inside the strata repository
"""

load("//rules:feature_new.bzl", _feature_new = "new")
load("//rules:layer.bzl", _layer = "layer")
load("//rules:providers.bzl", _FeatureInfo = "FeatureInfo", _LayerInfo = "LayerInfo")
load("//rules/features:registry.bzl", "FEATURE_FUNCTIONS")
load("//rules:genrule_layer.bzl", _genrule_layer = "genrule_layer")
load("//rules:image_test.bzl", _image_test = "image_test")
load("//rules:debian.bzl", _deb_repo = "deb_repo", _flavor = "flavor")

image = struct(
    layer = _layer,
    genrule_layer = _genrule_layer,
)

# feature.new plus one function per registered feature type (rules/features/registry.bzl).
feature = struct(new = _feature_new, **FEATURE_FUNCTIONS)

image_test = _image_test

deb_repo = _deb_repo
flavor = _flavor

LayerInfo = _LayerInfo
FeatureInfo = _FeatureInfo
