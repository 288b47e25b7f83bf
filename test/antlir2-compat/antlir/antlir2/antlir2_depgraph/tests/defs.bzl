"""good_depgraph / bad_depgraph for antlir2's depgraph tests, written for strata (antlir2's own defs.bzl drives
its Rust test binary): both declare an image.layer. A good one must build; a bad one must fail to build, which
test/antlir2-compat/compat.test.ts checks target by target (antlir2's error_regex names antlir2's own Rust types,
so the suite keeps its own patterns for strata's messages)."""

load("//rules:defs.bzl", "feature", "image")

def good_depgraph(name, features = [], parent_layer = None):
    image.layer(name = name, features = features, parent_layer = parent_layer)

def bad_depgraph(name, features, error_regex, parent = None):
    feature.new(name = name + "--features", features = features)
    image.layer(name = name, features = [":" + name + "--features"], parent_layer = parent)
