"""feature.requires: assert that paths, users and groups exist by the end of the layer.
Twin of src/features/requires.ts. Phase: compile."""

load("//rules/private:build_phase.bzl", "BUILD_PHASE")
load("//rules/private/features:common.bzl", "call_site", "check_image_path", "check_string_list", "feature_type")

def requires(*, files: list[str] = [], users: list[str] = [], groups: list[str] = []) -> dict:
    """Fails the build unless every listed file, user and group exists in the finished layer.

    Args:
        files: absolute image paths that must exist.
        users: user names that must exist.
        groups: group names that must exist.
    """
    check_string_list("requires", "files", files, check_image_path)
    check_string_list("requires", "users", users)
    check_string_list("requires", "groups", groups)
    if not files and not users and not groups:
        fail("feature.requires: give at least one of `files`, `users`, `groups`; found none")
    return {"type": "requires", "loc": call_site(), "files": files, "users": users, "groups": groups}

FEATURE = feature_type(name = "requires", phase = BUILD_PHASE.compile, function = requires)
