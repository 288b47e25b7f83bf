"""feature.ensure_subdirs_exist: make sure a relative chain of directories exists under an existing directory.
Twin of src/features/ensure_subdirs_exist.ts. Phase: compile."""

load("//rules/private:build_phase.bzl", "BUILD_PHASE")
load("//rules/private/features:common.bzl", "call_site", "check_image_path", "check_mode", "check_owner", "check_relative_path", "check_xattrs", "feature_type")

def ensure_subdirs_exist(into_dir: str, subdirs_to_create: str, *, mode: int | str = 0o755, user: int | str = "root", group: int | str = "root", xattrs: dict[str, str] = {}) -> dict:
    """Creates `into_dir/subdirs_to_create` and its missing components below `into_dir`.

    Args:
        into_dir: an existing directory in the image ("/var").
        subdirs_to_create: relative path of the directories to create under it ("lib/app/cache").
        mode: mode of the directories this creates: int (0o755) or string.
        user: owner of the directories this creates, a user name or uid.
        group: group of the directories this creates, a group name or gid.
        xattrs: extended attributes of the directories this creates: {"user.foo": "bar"}; a value is plain
            text, "0x" + hex bytes or "0s" + base64.
    """
    check_image_path("ensure_subdirs_exist", "into_dir", into_dir)
    check_relative_path("ensure_subdirs_exist", "subdirs_to_create", subdirs_to_create)
    check_mode("ensure_subdirs_exist", "mode", mode)
    check_owner("ensure_subdirs_exist", "user", user)
    check_owner("ensure_subdirs_exist", "group", group)
    check_xattrs("ensure_subdirs_exist", "xattrs", xattrs)
    return {
        "type": "ensure_subdirs_exist",
        "loc": call_site(),
        "into_dir": into_dir,
        "subdirs_to_create": subdirs_to_create,
        "mode": mode,
        "user": user,
        "group": group,
        "xattrs": xattrs,
    }

FEATURE = feature_type(name = "ensure_subdirs_exist", phase = BUILD_PHASE.compile, function = ensure_subdirs_exist)
