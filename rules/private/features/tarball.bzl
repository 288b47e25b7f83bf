"""feature.tarball: unpack a tar archive (.tar, .tar.gz) into a directory of the image.
Twin of src/features/tarball.ts. Phase: compile."""

load("//rules/private:build_phase.bzl", "BUILD_PHASE")
load("//rules/private/features:common.bzl", "call_site", "check_bool", "check_image_path", "check_source", "feature_type")

def tarball(src: str, into_dir: str, *, force_root_ownership: bool = False, strip_components: int = 0) -> dict:
    """Unpacks the archive `src` into `into_dir`, created like a directory install as in antlir2.

    Args:
        src: a tar archive of this package ("files/app.tar.gz") or a target whose default output is one.
        into_dir: the directory to unpack into: created (0o755, root) when missing, so only its parent must
            exist; an existing directory is kept.
        force_root_ownership: own every member by root:root instead of the ids in the archive.
        strip_components: drop this many leading components of every member name (tar --strip-components);
            members with no more components are skipped.
    """
    check_source("tarball", "src", src)
    check_image_path("tarball", "into_dir", into_dir)
    check_bool("tarball", "force_root_ownership", force_root_ownership)
    if type(strip_components) != "int" or strip_components < 0:
        fail("feature.tarball: attribute `strip_components` must be a non-negative int; found {} {}".format(type(strip_components), repr(strip_components)))
    return {
        "type": "tarball",
        "loc": call_site(),
        "src": src,
        "into_dir": into_dir,
        "force_root_ownership": force_root_ownership,
        "strip_components": strip_components,
    }

FEATURE = feature_type(name = "tarball", phase = BUILD_PHASE.compile, function = tarball, sources = ["src"])
