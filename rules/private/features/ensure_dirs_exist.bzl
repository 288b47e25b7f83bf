"""feature.ensure_dirs_exist: make sure a directory and all its ancestors exist.
Twin of src/features/ensure_dirs_exist.ts. Phase: compile."""

load("//rules/private:build_phase.bzl", "BUILD_PHASE")
load("//rules/private/features:common.bzl", "call_site", "check_image_path", "check_mode", "check_owner", "feature_type")

def ensure_dirs_exist(dirs: str, *, mode: int | str = 0o755, user: int | str = "root", group: int | str = "root") -> dict:
    """Creates the directory `dirs` and every missing ancestor (like `mkdir -p`).

    Args:
        dirs: absolute path of the directory in the image ("/var/lib/app").
        mode: mode of the directories this creates: int (0o755) or string ("u=rwx,go=rx").
        user: owner of the directories this creates, a user name or uid.
        group: group of the directories this creates, a group name or gid.
    """
    check_image_path("ensure_dirs_exist", "dirs", dirs)
    check_mode("ensure_dirs_exist", "mode", mode)
    check_owner("ensure_dirs_exist", "user", user)
    check_owner("ensure_dirs_exist", "group", group)
    return {"type": "ensure_dirs_exist", "loc": call_site(), "dirs": dirs, "mode": mode, "user": user, "group": group}

FEATURE = feature_type(name = "ensure_dirs_exist", phase = BUILD_PHASE.compile, function = ensure_dirs_exist)
