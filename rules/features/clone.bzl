"""feature.clone: copy a path, with owners and modes, from another layer into this one.
Twin of src/features/clone.ts. Phase: compile."""

load("//rules:build_phase.bzl", "BUILD_PHASE")
load("//rules/features:common.bzl", "check_image_path", "check_target", "feature_type")

def clone(src_layer, src_path, dst_path) -> dict:
    """Copies `src_path` of the layer `src_layer` to `dst_path` of this image.

    Args:
        src_layer: an image.layer target (":base", "//img:base").
        src_path: absolute path in the source layer (a file or a directory).
        dst_path: absolute destination path in this image; its parent directory must exist.
    """
    check_target("clone", "src_layer", src_layer)
    check_image_path("clone", "src_path", src_path)
    check_image_path("clone", "dst_path", dst_path)
    return {"type": "clone", "src_layer": src_layer, "src_path": src_path, "dst_path": dst_path}

FEATURE = feature_type(name = "clone", phase = BUILD_PHASE.compile, function = clone, layers = ["src_layer"])
