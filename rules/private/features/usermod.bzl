"""feature.usermod: change an existing user (today: add supplementary groups).
Twin of src/features/usermod.ts. Phase: compile."""

load("//rules/private:build_phase.bzl", "BUILD_PHASE")
load("//rules/private/features:common.bzl", "call_site", "check_string", "check_string_list", "feature_type")

def usermod(username: str, *, add_supplementary_groups: list[str]) -> dict:
    """Adds the existing user `username` to more groups.

    Args:
        username: an existing user (from the parent layer or feature.user_add).
        add_supplementary_groups: names of existing groups to add the user to.
    """
    check_string("usermod", "username", username)
    check_string_list("usermod", "add_supplementary_groups", add_supplementary_groups)
    return {"type": "usermod", "loc": call_site(), "username": username, "add_supplementary_groups": add_supplementary_groups}

FEATURE = feature_type(name = "usermod", phase = BUILD_PHASE.compile, function = usermod)
