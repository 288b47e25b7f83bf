"""feature.genrule: run a command inside the image being built (no network; no host paths but those asked for).
Twin of src/features/genrule.ts. Phase: genrule. Prefer intent-oriented features; see docs/isolation.md."""

load("//rules/private:build_phase.bzl", "BUILD_PHASE")
load("//rules/private/features:common.bzl", "call_site", "check_bool", "check_string", "feature_type")

def _macro_targets(text: str) -> list[str]:
    """Targets named by Buck2's `$(location X)` and `$(exe X)` macros in `text`."""
    out = []
    rest = text
    for _ in range(len(text)):
        start = rest.find("$(")
        if start < 0:
            break
        end = rest.find(")", start)
        if end < 0:
            break
        words = rest[start + 2:end].split(" ")
        if len(words) == 2 and words[0] in ("location", "exe"):
            out.append(words[1])
        rest = rest[end + 1:]
    return out

def genrule(*, cmd: list[str] | tuple | None = None, bash: str | None = None, user: str = "nobody", bind_repo_ro: bool = False) -> dict:
    """Runs a command in the layer's tree as it is after the package_manager phase; what it writes stays.

    Give exactly one of `cmd` and `bash`, as in antlir2. Buck2's `$(location X)` and `$(exe X)` in either expand
    to the absolute path of X's output, which the command sees read-only at that path.

    Args:
        cmd: the command as a list of strings (argv).
        bash: a script, run with `/bin/bash -c` (the image must have /bin/bash).
        user: a user of the image to run as (default "nobody").
        bind_repo_ro: make the repository visible read-only at its own path (for generators that read sources).
    """
    if (cmd == None) == (bash == None):
        fail("feature.genrule: give exactly one of `cmd` (an argv list) and `bash` (a script); found {}".format("both" if cmd != None else "neither"))
    texts = []
    if cmd != None:
        if type(cmd) not in ("list", "tuple") or len(cmd) == 0 or [c for c in cmd if type(c) != "string"]:
            fail("feature.genrule: attribute `cmd` must be a non-empty list of strings (argv); found {} {}".format(type(cmd), repr(cmd)))
        texts = list(cmd)
    else:
        check_string("genrule", "bash", bash)
        texts = [bash]
    check_string("genrule", "user", user)
    check_bool("genrule", "bind_repo_ro", bind_repo_ro)
    macro_srcs = {}
    for t in texts:
        for target in _macro_targets(t):
            macro_srcs[target] = target
    return {
        "type": "genrule",
        "loc": call_site(),
        "cmd": list(cmd) if cmd != None else None,
        "bash": bash,
        "user": user,
        "bind_repo_ro": bind_repo_ro,
        "macro_srcs": macro_srcs,
    }

FEATURE = feature_type(name = "genrule", phase = BUILD_PHASE.genrule, function = genrule, source_dicts = ["macro_srcs"])
