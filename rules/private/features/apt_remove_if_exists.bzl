"""feature.apt_remove_if_exists: antlir2's feature of the same name, for Debian packages.
Twin of src/features/apt_remove_if_exists.ts. Phase: package_manager (rules/private/features/apt_plan.bzl resolves the packages at analysis)."""

load("//rules/private:build_phase.bzl", "BUILD_PHASE")
load("//rules/private/features:common.bzl", "call_site", "check_string_list", "feature_type")

def apt_remove_if_exists(packages: list[str]) -> dict:
    """Removes Debian packages that are installed (dpkg --purge); packages that are not installed are skipped.

    Args:
        packages: Debian package names, like ["bash", "jq"].
    """
    check_string_list("apt_remove_if_exists", "packages", packages)
    if len(packages) == 0:
        fail("feature.apt_remove_if_exists: attribute `packages` must name at least one package; found []")
    return {"type": "apt_remove_if_exists", "loc": call_site(), "packages": list(packages)}

FEATURE = feature_type(name = "apt_remove_if_exists", phase = BUILD_PHASE.package_manager, function = apt_remove_if_exists, planned = ["resolved"])
