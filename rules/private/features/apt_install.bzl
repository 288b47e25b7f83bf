"""feature.apt_install: antlir2's feature of the same name, for Debian packages.
Twin of src/features/apt_install.ts. Phase: package_manager (rules/private/features/apt_plan.bzl resolves the packages at analysis)."""

load("//rules/private:build_phase.bzl", "BUILD_PHASE")
load("//rules/private/features:common.bzl", "call_site", "check_string_list", "feature_type")

def apt_install(packages: list[str]) -> dict:
    """Installs Debian packages by name, with their dependencies, from the layer's flavor (its deb_repo lock).
    In a layer without a parent it bootstraps: the essential set plus `packages`.

    Args:
        packages: Debian package names, like ["bash", "jq"].
    """
    check_string_list("apt_install", "packages", packages)
    if len(packages) == 0:
        fail("feature.apt_install: attribute `packages` must name at least one package; found []")
    return {"type": "apt_install", "loc": call_site(), "packages": list(packages)}

FEATURE = feature_type(name = "apt_install", phase = BUILD_PHASE.package_manager, function = apt_install, planned = ["resolved"])
