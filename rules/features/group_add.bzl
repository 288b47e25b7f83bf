"""feature.group_add: add a group to /etc/group.
Twin of src/features/group_add.ts. Phase: compile."""

load("//rules:build_phase.bzl", "BUILD_PHASE")
load("//rules/features:common.bzl", "check_optional_id", "check_string", "feature_type")

def group_add(groupname, gid = None) -> dict:
    """Adds the group `groupname`.

    Args:
        groupname: the group's name.
        gid: its id; None allocates the lowest free gid from 1000.
    """
    check_string("group_add", "groupname", groupname)
    check_optional_id("group_add", "gid", gid)
    return {"type": "group_add", "groupname": groupname, "gid": gid}

FEATURE = feature_type(name = "group_add", phase = BUILD_PHASE.compile, function = group_add)
