"""feature.tarball: unpack a tar archive (.tar, .tar.gz) into a directory of the image.
Twin of src/features/tarball.ts. Phase: compile."""

load("//rules:build_phase.bzl", "BUILD_PHASE")
load("//rules/features:common.bzl", "check_image_path", "check_source", "feature_type")

def tarball(src, into_dir) -> dict:
    """Unpacks the archive `src` into `into_dir`.

    Args:
        src: a tar archive of this package ("files/app.tar.gz") or a target whose default output is one.
        into_dir: an existing directory of the image.
    """
    check_source("tarball", "src", src)
    check_image_path("tarball", "into_dir", into_dir)
    return {"type": "tarball", "src": src, "into_dir": into_dir}

FEATURE = feature_type(name = "tarball", phase = BUILD_PHASE.compile, function = tarball, sources = ["src"])
