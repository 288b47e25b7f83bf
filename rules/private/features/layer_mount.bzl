"""feature.layer_mount: mount another layer at a path when the image runs (container, tests).
Twin of src/features/layer_mount.ts. Phase: compile (it creates the empty mountpoint)."""

load("//rules/private:build_phase.bzl", "BUILD_PHASE")
load("//rules/private/features:common.bzl", "call_site", "check_image_path", "check_target", "feature_type")

def layer_mount(source: str, mountpoint: str) -> dict:
    """Mounts the layer `source` at `mountpoint` at run time; the build creates the mountpoint.

    Args:
        source: an image.layer target (":data", "//img:data").
        mountpoint: absolute path in this image; its parent directory must exist.
    """
    check_target("layer_mount", "source", source)
    check_image_path("layer_mount", "mountpoint", mountpoint)
    return {"type": "layer_mount", "loc": call_site(), "source": source, "mountpoint": mountpoint}

FEATURE = feature_type(name = "layer_mount", phase = BUILD_PHASE.compile, function = layer_mount, layers = ["source"], mount = ("source", "mountpoint"))
