"""feature.install: copy a file or directory from the repository (or a target's output) into the image.
Twin of src/features/install.ts. Phase: compile."""

load("//rules/private:build_phase.bzl", "BUILD_PHASE")
load("//rules/private/features:common.bzl", "call_site", "check_image_path", "check_mode", "check_owner", "check_source", "check_xattrs", "feature_type")

def install(src: str, dst: str, *, mode: int | str | None = None, user: int | str = "root", group: int | str = "root", xattrs: dict[str, str] = {}) -> dict:
    """Installs `src` as `dst` in the image, with antlir2's meaning of `dst`.

    A file is installed as `dst`, which must not end in "/". A directory needs `dst` ending in "/" and is
    installed as that directory ("/opt/app/" makes /opt/app, not /opt/app/<name>); in its tree directories get
    0o755, files 0o755 when the source has an x bit and 0o644 otherwise: the modes a git checkout gives and all a
    Buck2 action digest knows of a source (antlir2 copies the source's bits, which differ between checkouts and on
    a remote worker). A mismatch between the two is an error, never a different tree.

    Args:
        src: a source file or directory of this package ("files/app.conf") or a target whose default output is
            installed (":gen").
        dst: absolute destination path in the image; its parent directory must exist. Ends in "/" exactly when
            `src` is a directory.
        mode: for a file: int (0o644) or string ("u=rw,go=r"); None gives 0o444, or 0o555 when the source is
            executable. A directory install keeps the source's modes (as antlir2 does).
        user: owner, a user name or uid.
        group: group, a group name or gid.
        xattrs: extended attributes of `dst` (the file, or the top directory): {"user.foo": "bar"}; a value is
            plain text, "0x" + hex bytes or "0s" + base64.
    """
    check_source("install", "src", src)
    check_image_path("install", "dst", dst)
    check_mode("install", "mode", mode, allow_none = True, file = not dst.endswith("/"))
    check_owner("install", "user", user)
    check_owner("install", "group", group)
    check_xattrs("install", "xattrs", xattrs)
    return {"type": "install", "loc": call_site(), "src": src, "dst": dst, "mode": mode, "user": user, "group": group, "xattrs": xattrs}

FEATURE = feature_type(name = "install", phase = BUILD_PHASE.compile, function = install, sources = ["src"])
