"""feature.clone: copy a path, with modes and owners (remapped by name), from another layer into this one.
Twin of src/features/clone.ts. Phase: compile."""

load("//rules/private:build_phase.bzl", "BUILD_PHASE")
load("//rules/private/features:common.bzl", "call_site", "check_image_path", "check_optional_string", "check_target", "feature_type")

def clone(*, src_layer: str, src_path: str | None = None, dst_path: str | None = None, path: str | None = None, user: str | None = None, group: str | None = None) -> dict:
    """Copies `src_path` of the layer `src_layer` to `dst_path` of this image, as antlir2's clone does.

    Trailing slashes matter: "s/rc" -> "dest/" creates dest/rc; "s/rc/" -> "dest/" copies the children of rc
    into the existing dest; "s/rc" -> "dest" creates dest. Owners are remapped by name: a file of "antlir" in
    the source belongs to this image's "antlir" (which must exist), whatever its id.

    Args:
        src_layer: an image.layer target (":base", "//img:base").
        src_path: absolute path in the source layer (a file or a directory).
        dst_path: absolute destination path in this image; its parent directory must exist.
        path: instead of `src_path` and `dst_path`: the same path at both ends.
        user: owner of every copied entry (give `group` too); None keeps the source's owner names.
        group: group of every copied entry (give `user` too); None keeps the source's group names.
    """
    check_target("clone", "src_layer", src_layer)
    if path != None:
        if src_path != None or dst_path != None:
            fail("feature.clone: give either `path` or both `src_path` and `dst_path`; found path and {}".format("src_path" if src_path != None else "dst_path"))
        check_image_path("clone", "path", path)
    else:
        check_image_path("clone", "src_path", src_path)
        check_image_path("clone", "dst_path", dst_path)
        if src_path.endswith("/") and not dst_path.endswith("/"):
            fail("feature.clone: `src_path` \"{}\" ends in \"/\" (copy its contents), so `dst_path` must end in \"/\" (an existing directory); found \"{}\"".format(src_path, dst_path))
    check_optional_string("clone", "user", user)
    check_optional_string("clone", "group", group)
    if (user == None) != (group == None):
        fail("feature.clone: give both `user` and `group`, or neither (as in antlir2)")
    return {"type": "clone", "loc": call_site(), "src_layer": src_layer, "src_path": src_path, "dst_path": dst_path, "path": path, "user": user, "group": group}

FEATURE = feature_type(name = "clone", phase = BUILD_PHASE.compile, function = clone, layers = ["src_layer"])
