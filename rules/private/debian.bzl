"""Debian packages for image layers: `deb_repo` (a package lock and its .debs), `flavor` (what a layer chain is built
with: a deb_repo plus a build appliance, as antlir2's flavors) and the analysis-time plan of a layer's apt features.

    load("//rules:defs.bzl", "deb_repo", "flavor", "feature", "image")
    load(":bookworm.lock.json", bookworm_lock = "value")

    deb_repo(name = "bookworm-repo", lock = bookworm_lock, manifest = "debian/bookworm.json")
    flavor(name = "bookworm", repo = ":bookworm-repo")
    image.layer(name = "base", flavor = ":bookworm", features = [feature.apt_install(packages = ["bash"])])

Nothing is resolved at build time: the lock (written by `strata deb-lock`) holds the solution and its edges, and
analysis takes from it the closure each layer needs. Each package is one `download_file` (sha256 and size checked),
so Buck2 fetches a .deb once and only when a layer being built needs it.
"""

load("//rules/private:debian_config.bzl", "debian_mirror")
load("//rules/private:providers.bzl", "LayerInfo")

DebRepoInfo = provider(
    doc = "A locked set of Debian packages.",
    fields = {
        "label": provider_field(str),  # the deb_repo target
        "packages": provider_field(dict[str, typing.Any]),  # name -> the lock's package record
        "debs": provider_field(dict[str, Artifact]),  # name -> the downloaded .deb
        "update_command": provider_field(str),  # the command that rewrites the lock, runnable as printed
        "manifest": provider_field(str),  # the manifest the lock is resolved from (project-relative), or ""
    },
)

FlavorInfo = provider(
    doc = "What a layer chain is built with.",
    fields = {
        "label": provider_field(str),  # the flavor target
        "repo": provider_field(Provider),  # the DebRepoInfo packages come from
        "build_appliance": provider_field(Provider | None),  # the build appliance's LayerInfo, or None
    },
)

DebianLayerInfo = provider(
    doc = "The Debian side of a built layer, for its children.",
    fields = {
        "flavor": provider_field(Provider | None),  # the layer chain's FlavorInfo, or None
        "packages": provider_field(dict[str, str]),  # name -> version installed by this layer and its parents
    },
)

def _deb_repo_impl(ctx: AnalysisContext) -> list[Provider]:
    debs = {}
    for name, p in ctx.attrs.lock["packages"].items():
        deb = ctx.actions.declare_output("debs/{}_{}_{}.deb".format(name, p["version"].replace(":", "%3a"), p["architecture"]))
        ctx.actions.download_file(deb.as_output(), ctx.attrs.mirror + "/" + p["filename"], sha256 = p["sha256"], size_bytes = p["size"])
        debs[name] = deb
    return [
        DefaultInfo(),
        DebRepoInfo(label = str(ctx.label.raw_target()), packages = ctx.attrs.lock["packages"], debs = debs, update_command = ctx.attrs.update_command, manifest = ctx.attrs.manifest),
    ]

deb_repo_rule = rule(
    impl = _deb_repo_impl,
    attrs = {
        "lock": attrs.dict(attrs.string(), attrs.any(), doc = "The lock, as loaded from its .lock.json."),
        "mirror": attrs.string(doc = "The archive base URL ([strata] debian_mirror)."),
        "update_command": attrs.string(doc = "How to rewrite the lock, for messages."),
        "manifest": attrs.string(default = "", doc = "The manifest the lock is resolved from, project-relative (\"\" when not given)."),
    },
    doc = "A Debian package lock and one download per package. Use the deb_repo macro.",
)

def deb_repo(name, lock, manifest = None, visibility = None):
    """A Debian package lock and its packages, downloaded from `[strata] debian_mirror` when a build needs them.

    Args:
        name: the target name.
        lock: the lock's value: `load(":x.lock.json", "value")` (written by `strata deb-lock`).
        manifest: the manifest the lock was resolved from (project-relative path), named in messages.
        visibility: Buck2 visibility.
    """
    if type(lock) != "dict" or type(lock.get("packages")) != "dict":
        fail("deb_repo(name = \"{}\"): `lock` must be a lock loaded with load(\":x.lock.json\", \"value\"); found {}".format(name, type(lock)))
    m = manifest if manifest != None else "debian/<name>.json"
    out = m[:-len(".json")] + ".lock.json" if m.endswith(".json") else "debian/<name>.lock.json"
    kwargs = {"visibility": visibility} if visibility != None else {}
    deb_repo_rule(
        name = name,
        lock = lock,
        mirror = debian_mirror(),
        update_command = "npx strata deb-lock --manifest {} --out {}".format(m, out),
        manifest = manifest if manifest != None else "",
        **kwargs
    )

def _flavor_impl(ctx: AnalysisContext) -> list[Provider]:
    return [
        DefaultInfo(),
        FlavorInfo(
            label = str(ctx.label.raw_target()),
            repo = ctx.attrs.repo[DebRepoInfo],
            build_appliance = ctx.attrs.build_appliance[LayerInfo] if ctx.attrs.build_appliance != None else None,
        ),
    ]

flavor_rule = rule(
    impl = _flavor_impl,
    attrs = {
        "repo": attrs.dep(providers = [DebRepoInfo], doc = "The deb_repo packages come from."),
        "build_appliance": attrs.option(attrs.dep(providers = [LayerInfo]), default = None, doc = "A layer holding the build's tools."),
    },
    doc = "A flavor: a package snapshot plus a build appliance. Use the flavor macro.",
)

def flavor(name, repo, build_appliance = None, visibility = None):
    """What a layer chain is built with (antlir2's flavor): a deb_repo, and optionally a build appliance layer.

    Args:
        name: the target name.
        repo: a deb_repo target.
        build_appliance: an image.layer target holding dpkg and the build's tools, or None.
        visibility: Buck2 visibility.
    """
    kwargs = {"visibility": visibility} if visibility != None else {}
    if build_appliance != None:
        kwargs["build_appliance"] = build_appliance
    flavor_rule(name = name, repo = repo, **kwargs)

def layer_flavor(label: str, own, parent_debian):
    """The flavor a layer builds with: its own (`image.layer(flavor = ...)`) or its parent's; both must agree."""
    inherited = parent_debian.flavor if parent_debian != None else None
    if own != None and inherited != None and own.label != inherited.label:
        fail("image.layer {}: flavor {} differs from its parent's flavor {}; a layer chain has one flavor".format(label, own.label, inherited.label))
    return own if own != None else inherited
