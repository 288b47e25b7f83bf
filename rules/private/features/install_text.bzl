"""feature.install_text: write a file with the given text into the image.
Twin of src/features/install_text.ts. Phase: compile."""

load("//rules/private:build_phase.bzl", "BUILD_PHASE")
load("//rules/private/features:common.bzl", "call_site", "check_image_path", "check_mode", "check_owner", "check_xattrs", "feature_type")

def install_text(text: str, dst: str, *, mode: int | str = 0o444, user: int | str = "root", group: int | str = "root", xattrs: dict[str, str] = {}) -> dict:
    """Writes `text` to the file `dst` in the image.

    Args:
        text: the file's contents (UTF-8).
        dst: absolute path of the file in the image. Its parent directory must exist.
        mode: int (0o444) or string ("a=r").
        user: owner, a user name or uid.
        group: group, a group name or gid.
        xattrs: extended attributes of the file: {"user.foo": "bar"}; a value is plain text, "0x" + hex bytes
            or "0s" + base64.
    """
    if type(text) != "string":
        fail("feature.install_text: attribute `text` must be a string; found {} {}".format(type(text), repr(text)))
    check_image_path("install_text", "dst", dst)
    check_mode("install_text", "mode", mode, file = True)
    check_owner("install_text", "user", user)
    check_owner("install_text", "group", group)
    check_xattrs("install_text", "xattrs", xattrs)
    return {"type": "install_text", "loc": call_site(), "text": text, "dst": dst, "mode": mode, "user": user, "group": group, "xattrs": xattrs}

FEATURE = feature_type(name = "install_text", phase = BUILD_PHASE.compile, function = install_text)
