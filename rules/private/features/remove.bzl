"""feature.remove: delete a path (and everything under it) from the image.
Twin of src/features/remove.ts. Phase: remove (its own phase, before compile, so a layer can remove a
parent's path and install something new there)."""

load("//rules/private:build_phase.bzl", "BUILD_PHASE")
load("//rules/private/features:common.bzl", "call_site", "check_bool", "check_image_path", "feature_type")

def remove(path: str, *, must_exist: bool = True) -> dict:
    """Removes `path` from the image, recursively for a directory.

    Args:
        path: absolute path in the image.
        must_exist: when True, a missing path is an error; when False it is ignored.
    """
    check_image_path("remove", "path", path)
    check_bool("remove", "must_exist", must_exist)
    return {"type": "remove", "loc": call_site(), "path": path, "must_exist": must_exist}

FEATURE = feature_type(name = "remove", phase = BUILD_PHASE.remove, function = remove)
