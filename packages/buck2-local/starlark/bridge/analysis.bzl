# Export of a module's rules and providers, ctx.actions and the analysis of one target (Buck2: AnalysisContext, AnalysisActions).

# ---------------------------------------------------------------------------------------------- export and analysis

def strata_export(name, value):
    if type(value) != "function":
        return None
    s = _builtin_str(value)
    if s.endswith("._strata_rule_call"):
        __py_export_rule(value(__strata_query = "rid"), name)
    elif s.endswith("._strata_provider_ctor"):
        __py_export_provider(value(__strata_query = "pid"), name)
    return None

# Buck2's named parameters of ctx.actions.run besides category and identifier (app/buck2_action_impl/src/context/run.rs)
_RUN_PARAMS = [
    "env", "local_only", "prefer_local", "prefer_remote", "low_pass_filter", "always_print_stderr", "weight", "weight_percentage",
    "dep_files", "metadata_env_var", "metadata_path", "incremental_metadata_ignore_tags", "no_outputs_cleanup",
    "incremental_remote_outputs", "allow_cache_upload", "allow_dep_file_cache_upload", "allow_offline_output_cache",
    "force_full_hybrid_if_capable", "exe", "unique_input_inodes", "error_handler", "remote_execution_dependencies",
    "re_gang_workers", "remote_execution_dynamic_image", "timeout_seconds", "meta_internal_extra_params",
    "outputs_for_error_handler", "expect_eligible_for_dedupe", "eager_materialization_enabled",
]

def _mk_actions():
    # Signatures follow Buck2's (app/buck2_action_impl/src/context/*.rs): parameters before `/` are positional-only
    # (`#[starlark(require = pos)]`), those after `*` named-only.
    def declare_output(prefix, filename = None, /, *, dir = False, has_content_based_path = None):
        parts = [prefix] if filename == None else [prefix, filename]
        return _mk_artifact(__py_declare_output(parts, dir))

    def _out(o):
        if type(o) == "string":
            return _mk_artifact(__py_declare_output([o], False))
        return o

    def write(output, content, /, *, is_executable = False, allow_args = False, with_inputs = False, absolute = False, has_content_based_path = None, use_dep_files_placeholder_for_content_based_paths = False):
        if type(content) != "string" and not allow_args:
            if _is_kind(content, "cmd_args") or type(content) == "list":
                fail("write: `content` is a command line; pass `allow_args = True` to write it")
        o = _out(output)
        __py_action("write", _enc({"output": o, "content": content, "is_executable": is_executable}))
        art = _mk_artifact(__py_artifact_info(_enc(o)))
        if allow_args:
            ins = cmd_args(hidden = content) if type(content) != "string" else cmd_args()
            return (art, ins) if with_inputs else (art, ins)
        return cmd_args(art, hidden = [content]) if with_inputs else art

    def write_json(output, content, /, *, with_inputs = False, pretty = False, absolute = False, has_content_based_path = None, use_dep_files_placeholder_for_content_based_paths = False):
        o = _out(output)
        __py_action("write_json", _enc({"output": o, "content": content, "pretty": pretty}))
        art = _mk_artifact(__py_artifact_info(_enc(o)))
        return cmd_args(art, hidden = [content]) if with_inputs else art

    def run(arguments, /, *, category, identifier = None, **kwargs):
        for k in kwargs:
            if k not in _RUN_PARAMS:
                fail("ctx.actions.run: unexpected parameter `{}`".format(k))
        if _is_provider(kwargs.get("exe"), "WorkerRunInfo"):
            kwargs["exe"] = kwargs["exe"].exe
        __py_action("run", _enc({"arguments": arguments, "category": category, "identifier": identifier, "kwargs": kwargs}))
        return None

    def copy_file(dest, src, /, *, has_content_based_path = None, executable_bit_override = None):
        o = _out(dest)
        __py_action("copy", _enc({"output": o, "src": src}))
        return _mk_artifact(__py_artifact_info(_enc(o)))

    def symlink_file(dest, src, /, *, has_content_based_path = None):
        o = _out(dest)
        __py_action("symlink", _enc({"output": o, "src": src}))
        return _mk_artifact(__py_artifact_info(_enc(o)))

    def copy_dir(dest, src, /, *, has_content_based_path = None, executable_bit_override = None):
        return copy_file(dest, src)

    def download_file(output, url, /, *, vpnless_url = None, sha1 = None, sha256 = None, size_bytes = None, is_executable = False, has_content_based_path = None):
        o = _out(output)
        __py_action("download", _enc({"output": o, "url": url, "sha256": sha256, "sha1": sha1, "is_executable": is_executable}))
        return _mk_artifact(__py_artifact_info(_enc(o)))

    return struct(
        declare_output = declare_output,
        write = write,
        write_json = write_json,
        run = run,
        copy_file = copy_file,
        symlink_file = symlink_file,
        copy_dir = copy_dir,
        download_file = download_file,
    )

def strata_analyse(rule_fn, deps):
    data = __py_ctx_data()
    impl = rule_fn(__strata_query = "impl")
    attr_values = {k: _decode(v, deps) for k, v in data["attrs"].items()}
    ctx = struct(attrs = struct(**attr_values), label = _mk_label(data["label"]), actions = _mk_actions(), plugins = struct())
    result = impl(ctx)
    if type(result) != "list" and type(result) != "tuple":
        fail("rule implementation of `{}` must return a list of providers, got `{}`".format(data["label"]["raw"], type(result)))
    providers = _provider_dict(result, "rule implementation of `{}`".format(data["label"]["raw"]))
    if DefaultInfo not in providers:
        fail("rule implementation of `{}` did not return a `DefaultInfo` provider".format(data["label"]["raw"]))
    __py_finish_analysis(_enc(providers))
    return providers
