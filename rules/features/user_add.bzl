"""feature.user_add: add a user to /etc/passwd (and /etc/shadow, /etc/group memberships).
Twin of src/features/user_add.ts. Phase: compile."""

load("//rules:build_phase.bzl", "BUILD_PHASE")
load("//rules/features:common.bzl", "check_image_path", "check_optional_id", "check_optional_string", "check_string", "check_string_list", "feature_type")

def user_add(username, primary_group, home_dir, shell = "/sbin/nologin", uid = None, supplementary_groups = [], comment = None) -> dict:
    """Adds the user `username`.

    Args:
        username: the user's name.
        primary_group: name of an existing group (for example from feature.group_add).
        home_dir: absolute path of the home directory (the user entry only; create it with ensure_dirs_exist).
        shell: absolute path of the login shell ("/bin/sh"); default "/sbin/nologin", as in antlir2.
        uid: the user's id; None allocates the lowest free uid from 1000.
        supplementary_groups: names of further groups the user belongs to.
        comment: the GECOS field; None leaves it empty.
    """
    check_string("user_add", "username", username)
    check_string("user_add", "primary_group", primary_group)
    check_image_path("user_add", "home_dir", home_dir)
    check_image_path("user_add", "shell", shell)
    check_optional_id("user_add", "uid", uid)
    check_string_list("user_add", "supplementary_groups", supplementary_groups)
    check_optional_string("user_add", "comment", comment)
    return {
        "type": "user_add",
        "username": username,
        "primary_group": primary_group,
        "home_dir": home_dir,
        "shell": shell,
        "uid": uid,
        "supplementary_groups": supplementary_groups,
        "comment": comment,
    }

FEATURE = feature_type(name = "user_add", phase = BUILD_PHASE.compile, function = user_add)
