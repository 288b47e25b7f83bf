"""feature.ensure_file_symlink: make sure `link` is a symlink to the file `target`.
Twin of src/features/ensure_file_symlink.ts. Phase: compile."""

load("//rules/private:build_phase.bzl", "BUILD_PHASE")
load("//rules/private/features:common.bzl", "call_site", "check_image_path", "check_string", "feature_type")

def ensure_file_symlink(link: str, target: str) -> dict:
    """Creates the symlink `link` -> `target`; `target` must be a file of the image.

    Args:
        link: absolute path of the symlink in the image. Its parent directory must exist.
        target: what the link points to: an absolute image path, or a path relative to the link's directory.
    """
    check_image_path("ensure_file_symlink", "link", link)
    check_string("ensure_file_symlink", "target", target)
    return {"type": "ensure_file_symlink", "loc": call_site(), "link": link, "target": target}

FEATURE = feature_type(name = "ensure_file_symlink", phase = BUILD_PHASE.compile, function = ensure_file_symlink)
