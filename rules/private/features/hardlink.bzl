"""feature.hardlink: a second name (hard link) for an existing file of the image.
Twin of src/features/hardlink.ts. Phase: compile."""

load("//rules/private:build_phase.bzl", "BUILD_PHASE")
load("//rules/private/features:common.bzl", "call_site", "check_image_path", "feature_type")

def hardlink(link: str, target: str) -> dict:
    """Makes `link` a hard link to the regular file `target` (same inode: same contents, mode and owner).

    Args:
        link: absolute path of the new name; its parent directory must exist and the path must not.
        target: absolute path of an existing regular file of the image (from the parent or this layer).
    """
    check_image_path("hardlink", "link", link)
    check_image_path("hardlink", "target", target)
    return {"type": "hardlink", "loc": call_site(), "link": link, "target": target}

FEATURE = feature_type(name = "hardlink", phase = BUILD_PHASE.compile, function = hardlink)
