"""feature.genrule: run a command inside the image being built (no network, no host paths).
Twin of src/features/genrule.ts. Phase: genrule. Prefer intent-oriented features; see docs/isolation.md."""

load("//rules:build_phase.bzl", "BUILD_PHASE")
load("//rules/features:common.bzl", "check_string", "feature_type")

def genrule(cmd, user = "nobody") -> dict:
    """Runs `cmd` in the layer's tree as it is after the package_manager phase; what it writes stays.

    Args:
        cmd: the command as a list of strings (argv); for shell syntax use ["/bin/sh", "-c", "..."].
        user: a user of the image to run as (default "nobody").
    """
    if type(cmd) not in ("list", "tuple") or len(cmd) == 0 or [c for c in cmd if type(c) != "string"]:
        fail("feature.genrule: attribute `cmd` must be a non-empty list of strings (argv); found {} {}".format(type(cmd), repr(cmd)))
    check_string("genrule", "user", user)
    return {"type": "genrule", "cmd": list(cmd), "user": user}

FEATURE = feature_type(name = "genrule", phase = BUILD_PHASE.genrule, function = genrule)
