# Providers (Buck2: provider(), DefaultInfo, RunInfo, ExternalRunnerTestInfo), platforms and workers.

# ---------------------------------------------------------------------------------------------- providers

def _field_matches(value, ty):
    if _builtin_str(ty).endswith("._strata_provider_ctor"):  # a provider used as a type: provider_field(RunInfo)
        return _is_kind(value, "provider") and value.__strata_pid == ty(__strata_query = True)
    return isinstance(value, ty)

def _make_provider(pid, field_names, defaults, transform, types = {}):
    def _strata_provider_ctor(*args, **kwargs):
        if "__strata_query" in kwargs:
            return pid
        if transform != None:
            kwargs = transform(args, kwargs)
        elif args:
            fail("provider `{}` takes only named arguments".format(__py_provider_name(pid)))
        for k in kwargs:
            if k not in field_names:
                fail("provider `{}` has no field `{}` (fields: {})".format(__py_provider_name(pid), k, ", ".join(field_names)))
        for f in field_names:
            if transform == None and f not in kwargs and f not in defaults:
                fail("provider `{}`: required parameter `{}` is missing (it has no default)".format(__py_provider_name(pid), f))
        values = {f: kwargs[f] if f in kwargs else defaults.get(f) for f in field_names}
        for f, ty in types.items():
            if f in kwargs and not _field_matches(kwargs[f], ty):
                fail("Value `{}` of type `{}` does not match the type annotation `{}` for field `{}` of provider `{}`".format(
                    _builtin_str(kwargs[f]), type(kwargs[f]), _builtin_str(ty), f, __py_provider_name(pid)))
        return struct(__strata_kind = "provider", __strata_pid = pid, __strata_ctor = _strata_provider_ctor, **values)

    return _strata_provider_ctor

_NO_DEFAULT = struct(__strata_kind = "no_default")

def provider_field(ty, default = _NO_DEFAULT):
    # Buck2 checks a field's value against `ty` when the provider is made; so does _make_provider
    return struct(__strata_kind = "provider_field", ty = ty, default = default)

def provider(fields = [], doc = ""):
    names = []
    defaults = {}
    types = {}
    if type(fields) == "dict":
        # Buck2: a field is optional only when it is a `provider_field(..., default = ...)`
        for k, v in fields.items():
            names.append(k)
            if _is_kind(v, "provider_field") and not _is_kind(v.default, "no_default"):
                defaults[k] = v.default
            types[k] = v.ty if _is_kind(v, "provider_field") else v
    else:
        names = list(fields)
        defaults = {k: None for k in names}
    pid = __py_new_provider(names)
    return _make_provider(pid, names, defaults, None, types)

def _provider_dict(providers, what):
    if type(providers) == "dict":
        return providers
    out = {}
    for p in providers:
        if not _is_kind(p, "provider"):
            fail("{}: expected a list of providers, got `{}` of type `{}`".format(what, _builtin_str(p), type(p)))
        if p.__strata_ctor in out:
            fail("{}: provider `{}` appears twice".format(what, __py_provider_name(p.__strata_pid)))
        out[p.__strata_ctor] = p
    return out

def _default_info_transform(args, kwargs):
    if args:
        fail("DefaultInfo takes only named arguments")
    for k in kwargs:
        if k not in ("default_output", "default_outputs", "other_outputs", "sub_targets"):
            fail("DefaultInfo: unexpected parameter `{}`".format(k))
    outs = list(kwargs.get("default_outputs") or [])
    if kwargs.get("default_output") != None:
        if outs:
            fail("DefaultInfo: cannot specify both `default_output` and `default_outputs`")
        outs = [kwargs["default_output"]]
    for o in outs + list(kwargs.get("other_outputs") or []):
        if not (_is_kind(o, "artifact") or _is_kind(o, "cmd_args")):
            fail("DefaultInfo: outputs must be artifacts, got `{}` of type `{}`".format(_builtin_str(o), type(o)))
    subs = {}
    for name, ps in (kwargs.get("sub_targets") or {}).items():
        subs[name] = _provider_dict(ps, "DefaultInfo sub_targets[\"{}\"]".format(name))
    return {"default_outputs": outs, "other_outputs": list(kwargs.get("other_outputs") or []), "sub_targets": subs}

def _run_info_transform(args, kwargs):
    if len(args) > 1:
        fail("RunInfo takes at most one positional argument")
    a = args[0] if args else kwargs.get("args", [])
    for k in kwargs:
        if k != "args":
            fail("RunInfo has no field `{}`".format(k))
    return {"args": a if _is_kind(a, "cmd_args") else cmd_args(a)}

def _test_info_transform(args, kwargs):
    if args:
        fail("ExternalRunnerTestInfo takes only named arguments")
    if "type" not in kwargs:
        fail("ExternalRunnerTestInfo: missing named-only parameter `type`")
    return kwargs

DefaultInfo = _make_provider(__py_builtin_provider("DefaultInfo"), ["default_outputs", "other_outputs", "sub_targets"], {}, _default_info_transform)
RunInfo = _make_provider(__py_builtin_provider("RunInfo"), ["args"], {}, _run_info_transform)
ExternalRunnerTestInfo = _make_provider(
    __py_builtin_provider("ExternalRunnerTestInfo"),
    ["type", "command", "env", "labels", "contacts", "use_project_relative_paths", "run_from_project_root", "default_executor", "executor_overrides", "local_resources", "required_local_resources", "worker", "supports_test_execution_caching"],
    {"command": [], "env": {}, "labels": [], "contacts": [], "use_project_relative_paths": True, "run_from_project_root": True},
    _test_info_transform,
)

# Buck2's named parameters of CommandExecutorConfig besides local_enabled and remote_enabled
# (app/buck2_build_api/src/interpreter/rule_defs/command_executor_config.rs)
_EXECUTOR_CONFIG_PARAMS = [
    "remote_cache_enabled", "remote_dep_file_cache_enabled", "remote_execution_properties", "remote_execution_action_key",
    "remote_execution_max_input_files_mebibytes", "remote_execution_queue_time_threshold_s", "remote_execution_use_case",
    "use_limited_hybrid", "allow_limited_hybrid_fallbacks", "allow_hybrid_fallbacks_on_failure", "use_windows_path_separators",
    "use_persistent_workers", "use_bazel_protocol_remote_persistent_workers", "allow_cache_uploads", "max_cache_upload_mebibytes",
    "experimental_low_pass_filter", "remote_output_paths", "network_access", "remote_execution_resource_units",
    "remote_execution_dependencies", "remote_execution_gang_workers", "remote_execution_dynamic_image", "meta_internal_extra_params", "priority",
]

def CommandExecutorConfig(*, local_enabled, remote_enabled, **kwargs):
    """Where a test or an execution platform runs actions; the local driver runs everything locally and keeps this for the record."""
    for k in kwargs:
        if k not in _EXECUTOR_CONFIG_PARAMS:
            fail("CommandExecutorConfig: unexpected parameter `{}`".format(k))
    return struct(__strata_kind = "executor_config", local_enabled = local_enabled, remote_enabled = remote_enabled, **kwargs)

# ---------------------------------------------------------------------------------------------- platforms

# Buck2's platform providers (app/buck2_build_api/src/interpreter/rule_defs/provider/builtin/): every parameter is
# named-only; the driver checks the types Buck2's constructors unpack.

def _is_provider(v, name):
    return _is_kind(v, "provider") and __py_provider_name(v.__strata_pid) == name

def _named_only(name, args, kwargs, required, optional):
    if args:
        fail("{}: takes only named arguments, got {} positional".format(name, len(args)))
    for k in kwargs:
        if k not in required and k not in optional:
            fail("{}: unexpected parameter `{}` (parameters: {})".format(name, k, ", ".join(required + optional)))
    for k in required:
        if k not in kwargs:
            fail("{}: missing named-only parameter `{}`".format(name, k))
    return {k: kwargs.get(k) for k in required + optional}

def _type_error(name, param, expected, v):
    fail("{}: parameter `{}` must be {}, got `{}` of type `{}`".format(name, param, expected, STRATA_INTERNAL_str(v), type(v)))

def _configuration_info_transform(args, kwargs):
    f = _named_only("ConfigurationInfo", args, kwargs, ["constraints", "values"], [])
    if type(f["constraints"]) != "dict":
        _type_error("ConfigurationInfo", "constraints", "a dict of TargetLabel to ConstraintValueInfo", f["constraints"])
    for k in f["constraints"]:
        if not (_is_label(k) and k.__strata_type == "TargetLabel"):
            _type_error("ConfigurationInfo", "constraints", "a dict keyed by TargetLabel", k)
    if type(f["values"]) != "dict":
        _type_error("ConfigurationInfo", "values", "a dict of strings to strings", f["values"])
    for k, v in f["values"].items():
        if type(k) != "string" or type(v) != "string":
            _type_error("ConfigurationInfo", "values", "a dict of strings to strings", f["values"])
        if len(k.split(".")) != 2 or "" in k.split("."):
            fail("ConfigurationInfo: key `{}` in `values` must be `section.key`".format(k))
    return f

def _platform_info_transform(args, kwargs):
    f = _named_only("PlatformInfo", args, kwargs, ["label", "configuration"], [])
    if type(f["label"]) != "string":
        _type_error("PlatformInfo", "label", "a string", f["label"])
    if not _is_provider(f["configuration"], "ConfigurationInfo"):
        _type_error("PlatformInfo", "configuration", "a ConfigurationInfo", f["configuration"])
    return f

def _execution_platform_info_transform(args, kwargs):
    f = _named_only("ExecutionPlatformInfo", args, kwargs, ["label", "configuration", "executor_config"], [])
    if not (_is_label(f["label"]) and f["label"].__strata_type == "TargetLabel"):
        _type_error("ExecutionPlatformInfo", "label", "a TargetLabel (e.g. `ctx.label.raw_target()`)", f["label"])
    if not _is_provider(f["configuration"], "ConfigurationInfo"):
        _type_error("ExecutionPlatformInfo", "configuration", "a ConfigurationInfo", f["configuration"])
    if not _is_kind(f["executor_config"], "executor_config"):
        _type_error("ExecutionPlatformInfo", "executor_config", "a CommandExecutorConfig", f["executor_config"])
    return f

def _execution_platform_registration_info_transform(args, kwargs):
    f = _named_only("ExecutionPlatformRegistrationInfo", args, kwargs, ["platforms"], ["fallback", "exec_marker_constraint"])
    if type(f["platforms"]) != "list":
        _type_error("ExecutionPlatformRegistrationInfo", "platforms", "a list of ExecutionPlatformInfo", f["platforms"])
    for p in f["platforms"]:
        if not _is_provider(p, "ExecutionPlatformInfo"):
            _type_error("ExecutionPlatformRegistrationInfo", "platforms", "a list of ExecutionPlatformInfo", p)
    if f["exec_marker_constraint"] != None and type(f["exec_marker_constraint"]) != "string":
        _type_error("ExecutionPlatformRegistrationInfo", "exec_marker_constraint", "a string or None", f["exec_marker_constraint"])
    return f

ConfigurationInfo = _make_provider(__py_builtin_provider("ConfigurationInfo"), ["constraints", "values"], {}, _configuration_info_transform)
PlatformInfo = _make_provider(__py_builtin_provider("PlatformInfo"), ["label", "configuration"], {}, _platform_info_transform)
ExecutionPlatformInfo = _make_provider(
    __py_builtin_provider("ExecutionPlatformInfo"),
    ["label", "configuration", "executor_config"],
    {},
    _execution_platform_info_transform,
)
# Buck2's persistent-worker providers (app/buck2_build_api/.../builtin/worker_info.rs, worker_run_info.rs). The local
# driver runs `ctx.actions.run(exe = WorkerRunInfo(...))` with the fallback `exe`; its executor sends the strata
# runner's actions to a worker of its own (src/executor.ts: an ActionRunner the embedding tool sets).
WorkerInfo = _make_provider(
    __py_builtin_provider("WorkerInfo"),
    ["exe", "env", "concurrency", "streaming", "supports_bazel_remote_persistent_worker_protocol"],
    {"env": {}, "concurrency": None, "streaming": None, "supports_bazel_remote_persistent_worker_protocol": False},
    None,
)
WorkerRunInfo = _make_provider(__py_builtin_provider("WorkerRunInfo"), ["worker", "remote_worker", "exe"], {"worker": None, "remote_worker": None}, None)

ExecutionPlatformRegistrationInfo = _make_provider(
    __py_builtin_provider("ExecutionPlatformRegistrationInfo"),
    ["platforms", "fallback", "exec_marker_constraint"],
    {},
    _execution_platform_registration_info_transform,
)
