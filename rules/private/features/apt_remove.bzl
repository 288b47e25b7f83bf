"""feature.apt_remove: antlir2's feature of the same name, for Debian packages.
Twin of src/features/apt_remove.ts. Phase: package_manager (rules/private/features/apt_plan.bzl resolves the packages at analysis)."""

load("//rules/private:build_phase.bzl", "BUILD_PHASE")
load("//rules/private/features:common.bzl", "call_site", "check_string_list", "feature_type")

def apt_remove(packages: list[str]) -> dict:
    """Removes installed Debian packages (dpkg --purge); a package that is not installed is an error.

    Args:
        packages: Debian package names, like ["bash", "jq"].
    """
    check_string_list("apt_remove", "packages", packages)
    if len(packages) == 0:
        fail("feature.apt_remove: attribute `packages` must name at least one package; found []")
    return {"type": "apt_remove", "loc": call_site(), "packages": list(packages)}

FEATURE = feature_type(name = "apt_remove", phase = BUILD_PHASE.package_manager, function = apt_remove, planned = ["resolved"])
