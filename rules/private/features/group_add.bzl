"""feature.group_add: add a group to /etc/group.
Twin of src/features/group_add.ts. Phase: compile."""

load("//rules/private:build_phase.bzl", "BUILD_PHASE")
load("//rules/private/features:common.bzl", "call_site", "check_optional_id", "check_string", "feature_type", "uidmap_source")

def group_add(groupname: str, *, gid: int | None = None, uidmap: str | None = None) -> dict:
    """Adds the group `groupname`. Adding a group the parent already has, with the same gid, changes nothing.

    Args:
        groupname: the group's name.
        gid: its id; None takes it from `uidmap`, or without one allocates the lowest free gid from 1000.
        uidmap: a checked-in name-to-id map, so the group has the same gid in every image: a JSON file
            {"users": {"name": uid}, "groups": {"name": gid}} of this package, a target whose output is one, or
            a bare name ("antlir") meaning the project's `//uidmaps:<name>` target. A group missing from it is
            an error.
    """
    check_string("group_add", "groupname", groupname)
    check_optional_id("group_add", "gid", gid)
    return {"type": "group_add", "loc": call_site(), "groupname": groupname, "gid": gid, "uidmap": uidmap_source("group_add", uidmap)}

FEATURE = feature_type(name = "group_add", phase = BUILD_PHASE.compile, function = group_add, sources = ["uidmap"])
