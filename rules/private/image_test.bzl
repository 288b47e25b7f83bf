"""image_test: run a test program inside a layer (in a throwaway snapshot; the layer is never changed)."""

load("//rules/private:providers.bzl", "LayerInfo")
load("//rules/private:toolchain.bzl", "StrataToolchainInfo")

def _image_test_impl(ctx: AnalysisContext) -> list[Provider]:
    runner = ctx.attrs._strata_toolchain[StrataToolchainInfo].runner
    layer = ctx.attrs.layer[LayerInfo]
    label = str(ctx.label.raw_target())
    env_flags = []
    for k, v in sorted(ctx.attrs.env.items()):
        env_flags.extend(["--env", "{}={}".format(k, v)])
    cmd = cmd_args(
        runner,
        "image-test",
        "--label",
        label,
        "--layer",
        layer.subvol,
        "--test",
        ctx.attrs.test,
        "--user",
        ctx.attrs.user,
        env_flags,
        "--",
        ctx.attrs.args,
    )
    return [
        DefaultInfo(),
        RunInfo(args = cmd),
        ExternalRunnerTestInfo(
            type = "custom",
            command = [cmd],
            env = ctx.attrs.env,
            labels = ctx.attrs.labels,
            default_executor = CommandExecutorConfig(local_enabled = True, remote_enabled = False),
        ),
    ]

_image_test = rule(
    impl = _image_test_impl,
    attrs = {
        "layer": attrs.dep(providers = [LayerInfo], doc = "The image.layer the test runs in."),
        "test": attrs.source(doc = "The test program: a script of this package or a target output; mounted read-only and run inside the layer."),
        "args": attrs.list(attrs.string(), default = [], doc = "Arguments for the test program."),
        "user": attrs.string(default = "root", doc = "A user of the layer to run the test as."),
        "env": attrs.dict(attrs.string(), attrs.string(), default = {}, doc = "Environment variables inside the container, on top of the fixed ones."),
        "labels": attrs.list(attrs.string(), default = [], doc = "Test labels."),
        "_strata_toolchain": attrs.toolchain_dep(default = "//:toolchain", providers = [StrataToolchainInfo]),
    },
    doc = "A test run inside an image layer: isolated (no network, no host paths), in a throwaway snapshot.",
)

def image_test(name, layer, test, args = [], user = "root", env = {}, labels = [], visibility = None):
    """Declares a test that runs `test` inside `layer`.

    Args:
        name: the target name.
        layer: an image.layer target.
        test: the test program (source file or target); exit code 0 passes.
        args: arguments passed to it.
        user: user of the image to run as (default "root").
        env: extra environment variables inside the container.
        labels: test labels.
        visibility: Buck2 visibility.
    """
    kwargs = {}
    if visibility != None:
        kwargs["visibility"] = visibility
    _image_test(name = name, layer = layer, test = test, args = args, user = user, env = env, labels = labels, **kwargs)

def image_sh_test(name, layer, test, args = [], user = "root", env = {}, labels = [], visibility = None):
    """antlir2's name for a shell test inside a layer: the same as image_test (`test` runs with its own #! line).

    The standalone project's prelude has no Python, Rust or C++ rules, so antlir2's image_python_test,
    image_rust_test and image_cpp_test have no counterpart here; build the test program with your own
    project's prelude and pass its output to image_test as `test`.

    Args:
        name: the target name.
        layer: an image.layer target.
        test: the shell script (source file or target); exit code 0 passes.
        args: arguments passed to it.
        user: user of the image to run as (default "root").
        env: extra environment variables inside the container.
        labels: test labels.
        visibility: Buck2 visibility.
    """
    image_test(name = name, layer = layer, test = test, args = args, user = user, env = env, labels = labels, visibility = visibility)
