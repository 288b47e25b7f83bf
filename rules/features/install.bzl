"""feature.install: copy a file or directory from the repository (or a target's output) into the image.
Twin of src/features/install.ts. Phase: compile."""

load("//rules:build_phase.bzl", "BUILD_PHASE")
load("//rules/features:common.bzl", "check_image_path", "check_mode", "check_owner", "check_source", "feature_type")

def install(src, dst, mode = None, user = "root", group = "root") -> dict:
    """Installs `src` at `dst` in the image.

    Args:
        src: a source file or directory of this package ("files/app.conf") or a target whose default output is
            installed (":gen").
        dst: absolute destination path in the image. Its parent directory must exist.
        mode: int (0o644) or string ("u=rw,go=r"); None keeps the default: 0o444 for files, 0o555 for
            executables (directories: 0o755 for directories, files as above).
        user: owner, a user name or uid.
        group: group, a group name or gid.
    """
    check_source("install", "src", src)
    check_image_path("install", "dst", dst)
    check_mode("install", "mode", mode, allow_none = True)
    check_owner("install", "user", user)
    check_owner("install", "group", group)
    return {"type": "install", "src": src, "dst": dst, "mode": mode, "user": user, "group": group}

FEATURE = feature_type(name = "install", phase = BUILD_PHASE.compile, function = install, sources = ["src"])
