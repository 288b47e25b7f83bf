"""The list of feature types. Adding a feature type = one module in this directory + one line below
(its runner twin is src/features/<type>.ts, listed in src/features/registry.ts)."""

load("//rules/private:build_phase.bzl", "phase_index")
load("//rules/private/features:clone.bzl", clone = "FEATURE")
load("//rules/private/features:ensure_dir_symlink.bzl", ensure_dir_symlink = "FEATURE")
load("//rules/private/features:ensure_dirs_exist.bzl", ensure_dirs_exist = "FEATURE")
load("//rules/private/features:ensure_file_symlink.bzl", ensure_file_symlink = "FEATURE")
load("//rules/private/features:ensure_subdirs_exist.bzl", ensure_subdirs_exist = "FEATURE")
load("//rules/private/features:group_add.bzl", group_add = "FEATURE")
load("//rules/private/features:install.bzl", install = "FEATURE")
load("//rules/private/features:install_text.bzl", install_text = "FEATURE")
load("//rules/private/features:layer_mount.bzl", layer_mount = "FEATURE")
load("//rules/private/features:remove.bzl", remove = "FEATURE")
load("//rules/private/features:requires.bzl", requires = "FEATURE")
load("//rules/private/features:tarball.bzl", tarball = "FEATURE")
load("//rules/private/features:user_add.bzl", user_add = "FEATURE")
load("//rules/private/features:usermod.bzl", usermod = "FEATURE")
load("//rules/private/features:genrule.bzl", genrule = "FEATURE")
load("//rules/private/features:hardlink.bzl", hardlink = "FEATURE")
load("//rules/private/features:apt_install.bzl", apt_install = "FEATURE")
load("//rules/private/features:apt_remove.bzl", apt_remove = "FEATURE")
load("//rules/private/features:apt_remove_if_exists.bzl", apt_remove_if_exists = "FEATURE")

FEATURE_TYPES = [
    install,
    install_text,
    ensure_dirs_exist,
    ensure_subdirs_exist,
    ensure_file_symlink,
    ensure_dir_symlink,
    remove,
    group_add,
    user_add,
    usermod,
    requires,
    tarball,
    clone,
    layer_mount,
    genrule,
    hardlink,
    apt_install,
    apt_remove,
    apt_remove_if_exists,
]

def _index(types: list) -> dict:
    by_name = {}
    for t in types:
        if t.name in by_name:
            fail("strata: feature type \"{}\" is registered twice".format(t.name))
        phase_index(t.phase)  # fails on an unknown phase
        by_name[t.name] = t
    return by_name

# feature type name -> its descriptor (rules/private/features/common.bzl feature_type)
FEATURE_TYPES_BY_NAME = _index(FEATURE_TYPES)

# feature type name -> the `feature.<name>` function
FEATURE_FUNCTIONS = {t.name: t.function for t in FEATURE_TYPES}
