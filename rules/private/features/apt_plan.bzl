"""The apt features' shared analysis: the package plan of a layer, from its flavor's lock.

The three apt feature types (apt_install, apt_remove, apt_remove_if_exists) are planned together, because what a
layer installs depends on what it removes and on what its parent has. image.layer calls plan_apt for every layer;
it returns the features unchanged when there is no apt feature. Phase: package_manager.
"""

APT_FEATURE_TYPES = ["apt_install", "apt_remove", "apt_remove_if_exists"]

def _closure(repo, roots: list, have: dict) -> list:
    """Packages to add for `roots`: the roots and everything they (pre-)depend on in the lock, minus `have`."""
    seen = {}
    todo = list(roots)
    for _ in range(len(repo.packages) + len(roots) + 1):
        if not todo:
            break
        nxt = []
        for name in todo:
            if name in seen or name in have:
                continue
            seen[name] = True
            p = repo.packages[name]
            nxt.extend(p["pre_depends"])
            nxt.extend(p["depends"])
        todo = nxt
    return sorted(seen.keys())

def _ancestor_requirements(parent) -> list:
    """What the feature.requires of `parent` and its ancestors name: [{kind, name, by}], `by` the declaring target."""
    needed = []
    layer = parent
    for _ in range(10000):  # Starlark has no while; no chain is this deep
        if layer == None:
            break
        for f in layer.features:
            if f["type"] != "requires":
                continue
            for kind, key in [("path", "files"), ("user", "users"), ("group", "groups")]:
                for name in f.get(key, []):
                    needed.append({"kind": kind, "name": name, "by": f["label"]})
        layer = layer.parent
    return needed

def _unplanned(features: list, apt: list, problems: dict, have: dict):
    """The features with a `resolved` problem in place of a plan (`problems`: index among `apt` -> problem)."""
    out = []
    i = 0
    for f in features:
        if f["type"] in APT_FEATURE_TYPES:
            if i in problems:
                f = dict(f)
                f["resolved"] = problems[i]
            i += 1
        out.append(f)
    return struct(features = out, inputs = [], packages = have, appliance = None)

def plan_apt(label: str, features: list, flavor, parent, parent_debian):
    """Resolves the apt features of a layer at analysis.

    Returns:
        struct(features = the features with a `resolved` plan on each apt feature, inputs = the .debs they read,
        packages = name -> version after this layer, appliance = the flavor's build appliance (a LayerInfo) when the
        bootstrap extracts with it, else None).
    """
    have = dict(parent_debian.packages) if parent_debian != None else {}
    apt = [f for f in features if f["type"] in APT_FEATURE_TYPES]
    if not apt:
        return struct(features = features, inputs = [], packages = have, appliance = None)

    # Two problems are reported by the runner instead, at the feature's call (its `loc`), with what only it can read:
    # the flavors the project declares, and the archive's index (a name in no index is a typo). The layer is planned
    # without packages then, so its phase action waits for no download.
    if flavor == None:
        problem = {0: {"problem": "no_flavor"}}
    else:
        repo = flavor.repo
        problem = {}
        for i, f in enumerate(apt):
            missing = [p for p in f["packages"] if p not in repo.packages] if f["type"] == "apt_install" else []
            if missing:
                problem[i] = {"problem": "not_in_lock", "missing": missing, "repo": repo.label, "manifest": repo.manifest, "update": repo.update_command}
    if problem:
        return _unplanned(features, apt, problem, have)
    repo = flavor.repo
    bootstrap = parent == None
    essential = sorted([n for n, p in repo.packages.items() if p["essential"]]) if bootstrap else []
    removed = {}  # package -> the index (in `apt`) of the feature that removes it
    for i, f in enumerate(apt):
        if f["type"] == "apt_remove":
            absent = [p for p in f["packages"] if p not in have]
            if absent:
                problem[i] = {"problem": "not_installed", "missing": absent}
        if f["type"] in ("apt_remove", "apt_remove_if_exists"):
            for p in f["packages"]:
                if p in have:
                    removed[p] = i
    for i, f in enumerate(apt):
        both = [p for p in f["packages"] if p in removed] if f["type"] == "apt_install" else []
        if both:
            problem[i] = {"problem": "installed_and_removed", "missing": both}
    if problem:
        return _unplanned(features, apt, problem, have)
    after = dict(have)
    for p in removed:
        after.pop(p)
    out = []
    inputs = []
    appliance = None
    first = True
    for f in features:
        if f["type"] not in APT_FEATURE_TYPES:
            out.append(f)
            continue
        g = dict(f)
        if f["type"] == "apt_install":
            roots = (essential if first else []) + f["packages"]
            new = _closure(repo, roots, after)
            debs = []
            for name in new:
                p = repo.packages[name]
                debs.append({
                    "name": name,
                    "version": p["version"],
                    "architecture": p["architecture"],
                    "sha256": p["sha256"],
                    "essential": p["essential"],
                    "pre_depends": p["pre_depends"],
                    "depends": p["depends"],
                    "deb": repo.debs[name],
                })
                inputs.append(repo.debs[name])
                after[name] = p["version"]
            g["resolved"] = {"bootstrap": bootstrap and first, "debs": debs, "flavor": flavor.label}
            if bootstrap and first and flavor.build_appliance != None:
                # the bootstrap extracts the essential packages with the appliance's dpkg-deb and tar, not the host's
                # (the layer's actions take it as an input: its subvolume, or its chain for a portable phase)
                g["resolved"]["appliance"] = flavor.build_appliance.subvol
                appliance = flavor.build_appliance
            first = False
        else:
            g["resolved"] = {"remove": sorted([p for p in f["packages"] if p in removed]), "flavor": flavor.label}
            needed = _ancestor_requirements(parent)
            if needed:
                # checked after the purge: what the parent layers' feature.requires name must still be there
                g["resolved"]["needed"] = needed
        out.append(g)

    # what stays must not need what goes
    for name in sorted(after.keys()):
        p = repo.packages.get(name)
        if p == None:
            continue
        for dep in p["pre_depends"] + p["depends"]:
            if dep in removed and removed[dep] not in problem:
                problem[removed[dep]] = {"problem": "breaks", "missing": [dep], "needed_by": name}
    if problem:
        return _unplanned(features, apt, problem, have)
    return struct(features = out, inputs = inputs, packages = after, appliance = appliance)
