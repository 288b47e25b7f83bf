"""Hermetic downloads: the only actions with network, each pinned by sha256."""

load("//rules/private:debian_config.bzl", "pool_url")
load("//rules/private:toolchain.bzl", "StrataToolchainInfo")

def _deb_file_impl(ctx: AnalysisContext) -> list[Provider]:
    deb = ctx.actions.declare_output("{}_{}.deb".format(ctx.attrs.package, ctx.attrs.version.replace(":", "%3a")))
    ctx.actions.download_file(deb.as_output(), ctx.attrs.url, sha256 = ctx.attrs.sha256)
    data = ctx.actions.declare_output(ctx.label.name + ".tar")
    runner = ctx.attrs._strata_toolchain[StrataToolchainInfo].runner
    ctx.actions.run(
        cmd_args(runner, "deb-extract", "--label", str(ctx.label.raw_target()), "--deb", deb, "--sha256", ctx.attrs.sha256, "--out", data.as_output()),
        category = "deb_extract",
        env = ctx.attrs._strata_toolchain[StrataToolchainInfo].env,  # set here, not inherited (docs/remote.md)
    )
    return [DefaultInfo(default_output = data, sub_targets = {"deb": [DefaultInfo(default_output = deb)]})]

deb_file_rule = rule(
    impl = _deb_file_impl,
    attrs = {
        "package": attrs.string(doc = "Debian package name."),
        "version": attrs.string(doc = "Exact version, as `apt-cache show` prints it."),
        "url": attrs.string(doc = "The .deb in a Debian archive's pool/."),
        "sha256": attrs.string(doc = "SHA256 of the .deb (the Packages index's SHA256 field)."),
        "_strata_toolchain": attrs.toolchain_dep(default = "//:toolchain", providers = [StrataToolchainInfo]),
    },
    doc = "A pinned Debian package: its default output is the package's files as an uncompressed tarball (for feature.tarball); [deb] is the .deb.",
)

def deb_file(name, package, version, filename, sha256, visibility = None):
    """A pinned .deb of the configured Debian archive (`[strata] debian_mirror`).

    Args:
        name: the target name.
        package: Debian package name.
        version: exact version, as `apt-cache show` prints it.
        filename: the .deb's path in the archive (the Packages index's `Filename`, like "pool/main/b/...deb").
        sha256: SHA256 of the .deb.
        visibility: Buck2 visibility.
    """
    kwargs = {"visibility": visibility} if visibility != None else {}
    deb_file_rule(name = name, package = package, version = version, url = pool_url(filename), sha256 = sha256, **kwargs)
