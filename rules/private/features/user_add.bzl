"""feature.user_add: add a user to /etc/passwd (and /etc/shadow, /etc/group memberships).
Twin of src/features/user_add.ts. Phase: compile."""

load("//rules/private:build_phase.bzl", "BUILD_PHASE")
load("//rules/private/features:common.bzl", "call_site", "check_image_path", "check_optional_id", "check_optional_string", "check_string", "check_bool", "check_string_list", "feature_type", "uidmap_source")

def user_add(username: str, *, primary_group: str, home_dir: str, shell: str = "/sbin/nologin", uid: int | None = None, supplementary_groups: list[str] = [], comment: str | None = None, uidmap: str | None = None, add_primary_group_member: bool = True) -> dict:
    """Adds the user `username` to /etc/passwd, /etc/shadow and its groups' member lists, as antlir2 does.

    The shadow entry is locked ("!!"); an image without /etc/shadow gets one (mode 0o000, "*" entries for the
    users it already has). Adding a user the parent already has, identically, changes nothing.

    Args:
        username: the user's name.
        primary_group: name of an existing group (for example from feature.group_add).
        home_dir: absolute path of the home directory (the user entry only; create it with ensure_dirs_exist).
        shell: absolute path of the login shell (antlir2's default "/sbin/nologin"; "/bin/bash").
        uid: the user's id; None takes it from `uidmap`, or without one allocates the lowest free uid from 1000.
        supplementary_groups: names of further groups the user belongs to.
        comment: the GECOS field; None leaves it empty.
        uidmap: a checked-in name-to-id map, so the user has the same uid in every image (see
            feature.group_add); a user missing from it is an error.
        add_primary_group_member: also list the user as a member of `primary_group` in /etc/group.
    """
    check_string("user_add", "username", username)
    check_string("user_add", "primary_group", primary_group)
    check_image_path("user_add", "home_dir", home_dir)
    check_image_path("user_add", "shell", shell)
    check_optional_id("user_add", "uid", uid)
    check_string_list("user_add", "supplementary_groups", supplementary_groups)
    check_optional_string("user_add", "comment", comment)
    check_bool("user_add", "add_primary_group_member", add_primary_group_member)
    return {
        "type": "user_add",
        "loc": call_site(),
        "username": username,
        "primary_group": primary_group,
        "home_dir": home_dir,
        "shell": shell,
        "uid": uid,
        "supplementary_groups": supplementary_groups,
        "comment": comment,
        "uidmap": uidmap_source("user_add", uidmap),
        "add_primary_group_member": add_primary_group_member,
    }

FEATURE = feature_type(name = "user_add", phase = BUILD_PHASE.compile, function = user_add, sources = ["uidmap"])
