"""package.*: a layer as a file or directory that leaves the machine, in antlir2's words.

    package.tar(name, layer)                          package.cpio(name, layer)
    package.tar_gz(name, layer, compression_level)    package.cpio_gz(name, layer, compression_level)
    package.tar_zst(name, layer, compression_level)   package.cpio_zst(name, layer, compression_level)
    package.squashfs(name, layer, compressor)         package.ext4(name, layer, size_mb, free_mb, label)
    package.sendstream(name, layer, parent_layer)     package.sendstream_zst(name, layer, parent_layer, compression_level)
    package.oci(name, layer, entrypoint, cmd, env, user, working_dir, labels, exposed_ports, ref, compression)
    package.oci_archive(...)   the same image as one tar that `podman load` / `docker load` take

Each is one Buck2 action whose output is the file (the directory for package.oci). See docs/packaging.md.
"""

load("//rules/private:debian.bzl", "DebianLayerInfo")
load("//rules/private:providers.bzl", "LayerInfo")
load("//rules/private:toolchain.bzl", "StrataToolchainInfo", "run_here")

_EXTENSIONS = {
    "cpio": ".cpio",
    "cpio.gz": ".cpio.gz",
    "cpio.zst": ".cpio.zst",
    "ext4": ".ext4",
    "sendstream": ".sendstream",
    "sendstream.zst": ".sendstream.zst",
    "squashfs": ".squashfs",
    "tar": ".tar",
    "tar.gz": ".tar.gz",
    "tar.zst": ".tar.zst",
}

_toolchain_attr = attrs.toolchain_dep(default = "//:toolchain", providers = [StrataToolchainInfo], doc = "The strata runner.")

def _label(ctx) -> str:
    return str(ctx.label.raw_target())

def appliance_args(layer_dep) -> list:
    """`--appliance OUT` when the layer's flavor has a build appliance: the packaging tools then come from it."""
    debian = layer_dep.get(DebianLayerInfo)
    if debian == None or debian.flavor == None or debian.flavor.build_appliance == None:
        return []
    return ["--appliance", debian.flavor.build_appliance.subvol]

def _package_impl(ctx: AnalysisContext) -> list[Provider]:
    runner = ctx.attrs._strata_toolchain[StrataToolchainInfo].runner
    layer = ctx.attrs.layer[LayerInfo]
    ext = _EXTENSIONS.get(ctx.attrs.format, "." + ctx.attrs.format)
    out = ctx.actions.declare_output(ctx.label.name if ctx.label.name.endswith(ext) else ctx.label.name + ext)
    opts = []
    if ctx.attrs.compression_level != None:
        opts += ["--compression-level", str(ctx.attrs.compression_level)]
    if ctx.attrs.compressor != None:
        opts += ["--compressor", ctx.attrs.compressor]
    if ctx.attrs.size_mb != None:
        opts += ["--size-mb", str(ctx.attrs.size_mb)]
    if ctx.attrs.free_mb != None:
        opts += ["--free-mb", str(ctx.attrs.free_mb)]
    if ctx.attrs.label != None:
        opts += ["--fs-label", ctx.attrs.label]
    if ctx.attrs.parent_layer != None:
        opts += ["--parent", ctx.attrs.parent_layer[LayerInfo].subvol]
    opts += appliance_args(ctx.attrs.layer)
    # reads the layer's subvolume on this machine
    run_here(
        ctx,
        cmd_args(runner, "package", ctx.attrs.format, "--label", _label(ctx), "--layer", layer.subvol, "--out", out.as_output(), opts),
        category = "strata_package",
        identifier = ctx.attrs.format,
    )
    return [DefaultInfo(default_output = out)]

strata_package = rule(
    impl = _package_impl,
    attrs = {
        "compression_level": attrs.option(attrs.int(), default = None, doc = "gzip 1-9 (default 6), zstd 1-19 (default 3)"),
        "compressor": attrs.option(attrs.string(), default = None, doc = "squashfs: gzip (default), zstd, xz, lz4 or lzo"),
        "format": attrs.string(doc = "tar, tar.gz, tar.zst, cpio, cpio.gz, cpio.zst, squashfs, ext4, sendstream, sendstream.zst"),
        "free_mb": attrs.option(attrs.int(), default = None, doc = "ext4: free space beyond the tree, in MiB, when the size is computed"),
        "label": attrs.option(attrs.string(), default = None, doc = "ext4: filesystem label"),
        "layer": attrs.dep(providers = [LayerInfo], doc = "the image.layer to package"),
        "parent_layer": attrs.option(attrs.dep(providers = [LayerInfo]), default = None, doc = "sendstream: send incrementally against this layer"),
        "size_mb": attrs.option(attrs.int(), default = None, doc = "ext4: fixed image size in MiB (default: computed from the tree)"),
        "_strata_toolchain": _toolchain_attr,
    },
    doc = "A layer packaged as one file. Use the package.* macros.",
)

def _layer_chain(layer) -> list:
    chain = []
    for _ in range(10000):
        if layer == None:
            break
        chain.append(layer)
        layer = layer.parent
    return reversed(chain)

def _oci_impl(ctx: AnalysisContext) -> list[Provider]:
    runner = ctx.attrs._strata_toolchain[StrataToolchainInfo].runner
    base = ctx.label.name.removesuffix(".tar").removesuffix(".oci")
    blob_args = []
    for layer in _layer_chain(ctx.attrs.layer[LayerInfo]):
        if getattr(layer, "diff", None) == None:
            fail("{}: layer {} has no diff artifacts (it was not built by image.layer)".format(_label(ctx), layer.label))
        b = layer.diff.blobs[ctx.attrs.compression]
        blob_args += ["--blob", b.blob, "--descriptor", b.descriptor]
    config = ctx.actions.write_json("oci-config.json", {
        "cmd": ctx.attrs.cmd,
        "entrypoint": ctx.attrs.entrypoint,
        "env": ctx.attrs.env,
        "exposed_ports": ctx.attrs.exposed_ports,
        "labels": ctx.attrs.labels,
        "ref": ctx.attrs.ref if ctx.attrs.ref != None else base + ":latest",
        "user": ctx.attrs.user,
        "working_dir": ctx.attrs.working_dir,
    }, pretty = True)
    layout = ctx.actions.declare_output(base + ".oci", dir = True)
    ctx.actions.run(
        cmd_args(runner, "package", "oci", "--label", _label(ctx), "--config", config, "--out", layout.as_output(), blob_args),
        category = "strata_package",
        env = ctx.attrs._strata_toolchain[StrataToolchainInfo].env,  # set here, not inherited (docs/remote.md)
        identifier = "oci",
    )
    archive = ctx.actions.declare_output(base + ".oci.tar")
    ctx.actions.run(
        cmd_args(runner, "package", "oci-archive", "--label", _label(ctx), "--layout", layout, "--out", archive.as_output()),
        category = "strata_package",
        env = ctx.attrs._strata_toolchain[StrataToolchainInfo].env,  # set here, not inherited (docs/remote.md)
        identifier = "oci-archive",
    )
    main = archive if ctx.attrs.archive else layout
    return [DefaultInfo(
        default_output = main,
        sub_targets = {
            "archive": [DefaultInfo(default_output = archive)],
            "layout": [DefaultInfo(default_output = layout)],
        },
    )]

strata_oci = rule(
    impl = _oci_impl,
    attrs = {
        "archive": attrs.bool(default = False, doc = "the default output is the archive (one tar) instead of the layout directory"),
        "cmd": attrs.option(attrs.list(attrs.string()), default = None, doc = "default arguments (Cmd)"),
        "compression": attrs.enum(["gzip", "zstd", "none"], default = "gzip", doc = "layer blob compression"),
        "entrypoint": attrs.option(attrs.list(attrs.string()), default = None, doc = "the program the container runs (Entrypoint)"),
        "env": attrs.dict(attrs.string(), attrs.string(), default = {}, doc = "environment variables (Env)"),
        "exposed_ports": attrs.list(attrs.string(), default = [], doc = "\"80\", \"53/udp\" (ExposedPorts)"),
        "labels": attrs.dict(attrs.string(), attrs.string(), default = {}, doc = "image labels (Labels)"),
        "layer": attrs.dep(providers = [LayerInfo], doc = "the image.layer; each layer of its parent chain becomes one OCI layer"),
        "ref": attrs.option(attrs.string(), default = None, doc = "the image's ref name in index.json (default: `<name>:latest`)"),
        "user": attrs.option(attrs.string(), default = None, doc = "user (and group) the container runs as (User)"),
        "working_dir": attrs.option(attrs.string(), default = None, doc = "working directory (WorkingDir)"),
        "_strata_toolchain": _toolchain_attr,
    },
    doc = "An OCI image of a layer. Use package.oci / package.oci_archive.",
)

def _where(fn, name):
    return "package.{}(name = \"{}\")".format(fn, name)

def _check_layer(fn, name, layer):
    if type(layer) != "string" or ":" not in layer:
        fail("{}: `layer` must be an image.layer target label (like \":base\"); found {} {}".format(_where(fn, name), type(layer), repr(layer)))

def _file_rule(name, layer, format, visibility, **kwargs):
    kwargs = {k: v for k, v in kwargs.items() if v != None}
    if visibility != None:
        kwargs["visibility"] = visibility
    strata_package(name = name, layer = layer, format = format, **kwargs)

def _tar(name: str, layer: str, *, visibility: list[str] | None = None) -> None:
    """The layer's tree as a tar archive (owners, modes, xattrs; sorted, fixed times).

    Args:
        name: the target name; the output is `<name>` plus the format's extension (unless it has it).
        layer: the image.layer target to package (like ":base").
        visibility: Buck2 visibility.
    """
    _check_layer("tar", name, layer)
    _file_rule(name, layer, "tar", visibility)

def _tar_gz(name: str, layer: str, *, compression_level: int | None = None, visibility: list[str] | None = None) -> None:
    """The layer's tree as a gzip-compressed tar archive.

    Args:
        name: the target name; the output is `<name>` plus the format's extension (unless it has it).
        layer: the image.layer target to package (like ":base").
        compression_level: gzip level, 1-9; None gives the tool's default (6).
        visibility: Buck2 visibility.
    """
    _check_layer("tar_gz", name, layer)
    _file_rule(name, layer, "tar.gz", visibility, compression_level = compression_level)

def _tar_zst(name: str, layer: str, *, compression_level: int | None = None, visibility: list[str] | None = None) -> None:
    """The layer's tree as a zstd-compressed tar archive.

    Args:
        name: the target name; the output is `<name>` plus the format's extension (unless it has it).
        layer: the image.layer target to package (like ":base").
        compression_level: zstd level, 1-19; None gives the tool's default (3).
        visibility: Buck2 visibility.
    """
    _check_layer("tar_zst", name, layer)
    _file_rule(name, layer, "tar.zst", visibility, compression_level = compression_level)

def _cpio(name: str, layer: str, *, visibility: list[str] | None = None) -> None:
    """The layer's tree as a cpio archive (newc, as an initramfs takes it).

    Args:
        name: the target name; the output is `<name>` plus the format's extension (unless it has it).
        layer: the image.layer target to package (like ":base").
        visibility: Buck2 visibility.
    """
    _check_layer("cpio", name, layer)
    _file_rule(name, layer, "cpio", visibility)

def _cpio_gz(name: str, layer: str, *, compression_level: int | None = None, visibility: list[str] | None = None) -> None:
    """The layer's tree as a gzip-compressed cpio archive.

    Args:
        name: the target name; the output is `<name>` plus the format's extension (unless it has it).
        layer: the image.layer target to package (like ":base").
        compression_level: gzip level, 1-9; None gives the tool's default (6).
        visibility: Buck2 visibility.
    """
    _check_layer("cpio_gz", name, layer)
    _file_rule(name, layer, "cpio.gz", visibility, compression_level = compression_level)

def _cpio_zst(name: str, layer: str, *, compression_level: int | None = None, visibility: list[str] | None = None) -> None:
    """The layer's tree as a zstd-compressed cpio archive.

    Args:
        name: the target name; the output is `<name>` plus the format's extension (unless it has it).
        layer: the image.layer target to package (like ":base").
        compression_level: zstd level, 1-19; None gives the tool's default (3).
        visibility: Buck2 visibility.
    """
    _check_layer("cpio_zst", name, layer)
    _file_rule(name, layer, "cpio.zst", visibility, compression_level = compression_level)

def _squashfs(name: str, layer: str, *, compressor: str | None = None, visibility: list[str] | None = None) -> None:
    """The layer's tree as a squashfs image.

    Args:
        name: the target name; the output is `<name>` plus the format's extension (unless it has it).
        layer: the image.layer target to package (like ":base").
        compressor: gzip (the default), zstd, xz, lz4 or lzo.
        visibility: Buck2 visibility.
    """
    _check_layer("squashfs", name, layer)
    _file_rule(name, layer, "squashfs", visibility, compressor = compressor)

def _ext4(name: str, layer: str, *, size_mb: int | None = None, free_mb: int | None = None, label: str | None = None, visibility: list[str] | None = None) -> None:
    """The layer's tree as an ext4 filesystem image.

    Args:
        name: the target name; the output is `<name>` plus the format's extension (unless it has it).
        layer: the image.layer target to package (like ":base").
        size_mb: a fixed image size in MiB; None computes it from the tree.
        free_mb: free space beyond the tree, in MiB, when the size is computed.
        label: the filesystem label.
        visibility: Buck2 visibility.
    """
    _check_layer("ext4", name, layer)
    _file_rule(name, layer, "ext4", visibility, size_mb = size_mb, free_mb = free_mb, label = label)

def _sendstream(name: str, layer: str, *, parent_layer: str | None = None, visibility: list[str] | None = None) -> None:
    """The layer as a btrfs send stream (`btrfs receive` recreates the subvolume).

    Args:
        name: the target name; the output is `<name>` plus the format's extension (unless it has it).
        layer: the image.layer target to package (like ":base").
        parent_layer: an ancestor image.layer to send incrementally against; None sends the whole layer.
        visibility: Buck2 visibility.
    """
    _check_layer("sendstream", name, layer)
    _file_rule(name, layer, "sendstream", visibility, parent_layer = parent_layer)

def _sendstream_zst(name: str, layer: str, *, parent_layer: str | None = None, compression_level: int | None = None, visibility: list[str] | None = None) -> None:
    """The layer as a zstd-compressed btrfs send stream.

    Args:
        name: the target name; the output is `<name>` plus the format's extension (unless it has it).
        layer: the image.layer target to package (like ":base").
        parent_layer: an ancestor image.layer to send incrementally against; None sends the whole layer.
        compression_level: zstd level, 1-19; None gives the tool's default (3).
        visibility: Buck2 visibility.
    """
    _check_layer("sendstream_zst", name, layer)
    _file_rule(name, layer, "sendstream.zst", visibility, parent_layer = parent_layer, compression_level = compression_level)

def _oci(name: str, layer: str, *, entrypoint: list[str] | None = None, cmd: list[str] | None = None, env: dict[str, str] = {}, user: str | None = None, working_dir: str | None = None, labels: dict[str, str] = {}, exposed_ports: list[str] = [], ref: str | None = None, compression: str = "gzip", visibility: list[str] | None = None) -> None:
    """An OCI image layout directory of the layer: each layer of its parent chain becomes one OCI layer.

    Args:
        name: the target name.
        layer: the image.layer target to package (like ":base").
        entrypoint: the program the container runs (Entrypoint).
        cmd: default arguments (Cmd).
        env: environment variables (Env); `PATH` is `/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin` unless set here.
        user: the user (and group) the container runs as (User).
        working_dir: the working directory (WorkingDir).
        labels: image labels (Labels).
        exposed_ports: ports like "80" or "53/udp" (ExposedPorts).
        ref: the image's ref name in index.json; None gives `<name>:latest`.
        compression: layer blob compression: gzip, zstd or none.
        visibility: Buck2 visibility.
    """
    _check_layer("oci", name, layer)
    kwargs = {"visibility": visibility} if visibility != None else {}
    strata_oci(name = name, layer = layer, archive = False, entrypoint = entrypoint, cmd = cmd, env = env, user = user, working_dir = working_dir, labels = labels, exposed_ports = exposed_ports, ref = ref, compression = compression, **kwargs)

def _oci_archive(name: str, layer: str, *, entrypoint: list[str] | None = None, cmd: list[str] | None = None, env: dict[str, str] = {}, user: str | None = None, working_dir: str | None = None, labels: dict[str, str] = {}, exposed_ports: list[str] = [], ref: str | None = None, compression: str = "gzip", visibility: list[str] | None = None) -> None:
    """The same image as package.oci, as one tar that `podman load` / `docker load` take.

    Args:
        name: the target name.
        layer: the image.layer target to package (like ":base").
        entrypoint: the program the container runs (Entrypoint).
        cmd: default arguments (Cmd).
        env: environment variables (Env); `PATH` is `/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin` unless set here.
        user: the user (and group) the container runs as (User).
        working_dir: the working directory (WorkingDir).
        labels: image labels (Labels).
        exposed_ports: ports like "80" or "53/udp" (ExposedPorts).
        ref: the image's ref name in index.json; None gives `<name>:latest`.
        compression: layer blob compression: gzip, zstd or none.
        visibility: Buck2 visibility.
    """
    _check_layer("oci_archive", name, layer)
    kwargs = {"visibility": visibility} if visibility != None else {}
    strata_oci(name = name, layer = layer, archive = True, entrypoint = entrypoint, cmd = cmd, env = env, user = user, working_dir = working_dir, labels = labels, exposed_ports = exposed_ports, ref = ref, compression = compression, **kwargs)

def _new(name: str, layer: str, format: str, **kwargs) -> None:
    """Any package format by name (antlir2's backward_compatible_new); other arguments are the format's own.

    Args:
        name: the target name.
        layer: the image.layer target to package (like ":base").
        format: tar, tar.gz, tar.zst, cpio, cpio.gz, cpio.zst, squashfs, ext4, sendstream, sendstream.zst, oci
            or oci_archive.
    """
    if format in ["oci", "oci_archive"]:
        return (_oci_archive if format == "oci_archive" else _oci)(name = name, layer = layer, **kwargs)
    _check_layer("new", name, layer)
    if format not in _EXTENSIONS:
        fail("{}: unknown package format \"{}\" (known: {}, oci, oci_archive)".format(_where("new", name), format, ", ".join(sorted(_EXTENSIONS.keys()))))
    strata_package(name = name, layer = layer, format = format, **kwargs)

package = struct(
    cpio = _cpio,
    cpio_gz = _cpio_gz,
    cpio_zst = _cpio_zst,
    ext4 = _ext4,
    new = _new,
    oci = _oci,
    oci_archive = _oci_archive,
    sendstream = _sendstream,
    sendstream_zst = _sendstream_zst,
    squashfs = _squashfs,
    tar = _tar,
    tar_gz = _tar_gz,
    tar_zst = _tar_zst,
)
