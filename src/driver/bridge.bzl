# The Buck2 rule API as Starlark values, for the local driver (evaluate.py).
# Values users touch (artifacts, cmd_args, providers, labels) are structs built here; they cross into Python
# only through `_enc`, which turns them into tagged plain data. Python callables are the `__py_*` globals.

_builtin_str = str

# Buck2's value types, for annotations in .bzl files. The driver's values are structs and dicts, so these accept anything.
AnalysisContext = typing.Any
Provider = typing.Any
Artifact = typing.Any
OutputArtifact = typing.Any
Label = typing.Any
TargetLabel = typing.Any
ConfiguredTargetLabel = typing.Any
Dependency = typing.Any
ProviderCollection = typing.Any
ArgLike = typing.Any
CommandLineArgLike = typing.Any
CellPath = typing.Any
CellRoot = typing.Any
Select = typing.Any
AnalysisActions = typing.Any
Promise = typing.Any

def _is_kind(v, kind):
    return type(v) == "struct" and getattr(v, "__strata_kind", None) == kind

def _enc(v):
    t = type(v)
    if t == "NoneType" or t == "bool" or t == "int" or t == "string" or t == "float":
        return v
    if t == "list" or t == "tuple":
        return [_enc(x) for x in v]
    if t == "dict":
        return {"__strata": "dict", "items": [[_enc(k), _enc(x)] for k, x in v.items()]}
    if t == "struct":
        k = getattr(v, "__strata_kind", None)
        if k == "artifact":
            return {"__strata": "artifact", "id": v.__strata_id}
        if k == "output":
            return {"__strata": "output", "id": v.__strata_id}
        if k == "cmd_args":
            return {"__strata": "cmd_args", "items": _enc(v.__strata_items), "hidden": _enc(v.__strata_hidden), "opts": _enc(v.__strata_opts)}
        if k == "provider":
            return {"__strata": "provider", "pid": v.__strata_pid, "fields": {f: _enc(getattr(v, f)) for f in dir(v) if not f.startswith("__strata")}}
        if k == "label":
            return {"__strata": "label", "label": v.__strata_str}
        if k == "select":
            return {"__strata": "select", "branches": _enc(v.branches)}
        if k == "attr":
            return {"__strata": "attr", "type": v.type, "has_default": v.has_default, "default": _enc(v.default), "args": _enc(v.args)}
        return {"__strata": "struct", "fields": {f: _enc(getattr(v, f)) for f in dir(v) if not f.startswith("__strata")}}
    if t == "function":
        s = _builtin_str(v)
        if s.endswith("._strata_provider_ctor"):
            return {"__strata": "provider_type", "pid": v(__strata_query = "pid")}
        if s.endswith("._strata_rule_call"):
            return {"__strata": "rule", "rid": v(__strata_query = "rid")}
        return {"__strata": "function", "repr": s}
    if t == "record":
        return {"__strata": "struct", "fields": {f: _enc(getattr(v, f)) for f in dir(v)}}
    if t == "enum":
        return v.value
    return {"__strata": "opaque", "type": t, "repr": _builtin_str(v)}

# ---------------------------------------------------------------------------------------------- providers

def _make_provider(pid, field_names, defaults, transform):
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
        return struct(__strata_kind = "provider", __strata_pid = pid, __strata_ctor = _strata_provider_ctor, **values)

    return _strata_provider_ctor

_NO_DEFAULT = struct(__strata_kind = "no_default")

def provider_field(ty, default = _NO_DEFAULT, doc = ""):
    return struct(__strata_kind = "provider_field", default = default)

def provider(fields = [], doc = ""):
    names = []
    defaults = {}
    if type(fields) == "dict":
        # Buck2: a field is optional only when it is a `provider_field(..., default = ...)`
        for k, v in fields.items():
            names.append(k)
            if _is_kind(v, "provider_field") and not _is_kind(v.default, "no_default"):
                defaults[k] = v.default
    else:
        names = list(fields)
        defaults = {k: None for k in names}
    pid = __py_new_provider(names)
    return _make_provider(pid, names, defaults, None)

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
# runner's actions to a worker of its own (src/driver/executor.ts).
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

# ---------------------------------------------------------------------------------------------- cmd_args

def _mk_cmd_args(items, hidden, opts):
    holder = []

    def _add(*args):
        for a in args:
            items.append(a)
        return holder[0]

    def _relative_to(directory, parent = 0):
        o = dict(opts)
        o["relative_to"] = directory
        o["relative_to_parent"] = parent
        return _mk_cmd_args(list(items), list(hidden), o)

    def _copy():
        return _mk_cmd_args(list(items), list(hidden), dict(opts))

    s = struct(
        __strata_kind = "cmd_args",
        __strata_items = items,
        __strata_hidden = hidden,
        __strata_opts = opts,
        add = _add,
        # no `hidden` method: Buck2's cmd_args has none (only the `hidden =` parameter)
        relative_to = _relative_to,
        copy = _copy,
        # Buck2's `inputs` attribute: a command-line value that renders nothing and carries the artifacts this command
        # line reads. It shares `items` and `hidden`, so later `add()`s show in it. (`outputs`: STRATA_INTERNAL_dot.)
        inputs = struct(__strata_kind = "cmd_args", __strata_items = [], __strata_hidden = [items, hidden], __strata_opts = {"inputs_only": True}),
    )
    holder.append(s)
    return s

def cmd_args(*args, hidden = [], delimiter = None, format = None, prepend = None, quote = None, absolute_prefix = None, absolute_suffix = None, parent = 0, relative_to = None, ignore_artifacts = False, replace_regex = None):
    opts = {}
    if delimiter != None:
        opts["delimiter"] = delimiter
    if format != None:
        opts["format"] = format
    if prepend != None:
        opts["prepend"] = prepend
    if quote != None:
        if quote != "shell":
            fail("cmd_args: `quote` must be \"shell\", got `{}`".format(quote))
        opts["quote"] = quote
    if absolute_prefix != None:
        opts["absolute_prefix"] = absolute_prefix
    if absolute_suffix != None:
        opts["absolute_suffix"] = absolute_suffix
    if parent:
        opts["parent"] = parent
    if ignore_artifacts:
        opts["ignore_artifacts"] = True
    if replace_regex != None:
        opts["replace_regex"] = replace_regex
    if relative_to != None:
        if type(relative_to) == "tuple":
            opts["relative_to"] = relative_to[0]
            opts["relative_to_parent"] = relative_to[1]
        else:
            opts["relative_to"] = relative_to
    h = list(hidden) if type(hidden) == "list" or type(hidden) == "tuple" else [hidden]
    return _mk_cmd_args(list(args), h, opts)

# ---------------------------------------------------------------------------------------------- artifacts, labels

def _mk_artifact(d):
    aid = d["id"]
    return struct(
        __strata_kind = "artifact",
        __strata_id = aid,
        short_path = d["short_path"],
        basename = d["basename"],
        extension = d["extension"],
        is_source = d["is_source"],
        owner = _mk_label(d["owner"]) if d["owner"] != None else None,
        as_output = lambda: struct(__strata_kind = "output", __strata_id = aid),
        project = lambda path, hide_prefix = False: _mk_artifact(__py_project_artifact(aid, path)),
    )

# The local driver has no configurations; Buck2 renders a target analysed without one as `(<unspecified>)`.
_CONFIG = "<unspecified>"

# Labels are plain-data structs so that they compare and hash like Buck2's labels. Their methods, str() and
# formatting go through STRATA_INTERNAL_dot/_str/_mod below (see pydriver/rewrite.py for why).
def _label_value(kind, cell, package, name, subs):
    target = "{}//{}:{}".format(cell, package, name)
    if kind == "TargetLabel":
        text = target
    elif kind == "ConfiguredTargetLabel":
        text = target + " (" + _CONFIG + ")"
    else:
        text = target + "".join(["[" + s + "]" for s in subs]) + " (" + _CONFIG + ")"
    return struct(
        __strata_kind = "label",
        __strata_type = kind,
        __strata_str = text,
        __strata_sub = tuple(subs),
        name = name,
        package = package,
        cell = cell,
        path = "{}//{}".format(cell, package),
    )

def _mk_label(d):
    return _label_value("Label", d["cell"], d["package"], d["name"], d["sub_target"] or [])

def _is_label(v):
    return type(v) == "struct" and getattr(v, "__strata_kind", None) == "label"

def _as_text(v):
    return v.__strata_str if _is_label(v) else v

# A Dependency is its provider collection as a dict (so `dep[P]`, `P in dep`, `dep.get(P)` work natively) plus its
# label under this key, which no user code can name.
_DEP_LABEL = struct(__strata_kind = "dep_label_key")

def _mk_dep(providers, label):
    d = dict(providers)
    d[_DEP_LABEL] = label
    return d

def _is_dep(v):
    return type(v) == "dict" and _DEP_LABEL in v

def _dep_sub_target(dep, name):
    subs = dep[DefaultInfo].sub_targets
    label = dep[_DEP_LABEL]
    if name not in subs:
        fail("`{}` has no sub-target `{}` (available: {})".format(label.__strata_str, name, ", ".join(sorted(subs.keys())) or "none"))
    return _mk_dep(subs[name], _label_value("Label", label.cell, label.package, label.name, list(label.__strata_sub) + [name]))

def _dep_attr(dep, name):
    if name == "label":
        return dep[_DEP_LABEL]
    if name == "providers":
        return [p for k, p in dep.items() if k != _DEP_LABEL]
    if name == "sub_target":
        return lambda n: _dep_sub_target(dep, n)
    fail("Object of type `Dependency` has no attribute `{}`".format(name))

def STRATA_INTERNAL_dot(x, name):
    """`x.name` for the attribute names pydriver/rewrite.py routes here."""
    if name == "outputs" and _is_kind(x, "cmd_args"):
        return [struct(__strata_kind = "output", __strata_id = aid) for aid in __py_cmd_outputs(_enc(x))]
    if _is_dep(x):
        return _dep_attr(x, name)
    if _is_label(x):
        kind = x.__strata_type
        if name == "raw_target" and kind != "TargetLabel":
            return lambda: _label_value("TargetLabel", x.cell, x.package, x.name, [])
        if name == "configured_target" and kind == "Label":
            return lambda: _label_value("ConfiguredTargetLabel", x.cell, x.package, x.name, [])
        if name == "sub_target" and kind == "Label":
            return list(x.__strata_sub) if x.__strata_sub else None
        if not hasattr(x, name):
            fail("Object of type `{}` has no attribute `{}`".format(kind, name))
    if name == "format" and type(x) == "string":
        def _format(*args, **kwargs):
            return x.format(*[_as_text(a) for a in args], **{k: _as_text(v) for k, v in kwargs.items()})

        return _format
    return getattr(x, name)

def STRATA_INTERNAL_str(x):
    """`str(x)`: a label is its text, a dependency `<dependency LABEL>` as in Buck2."""
    if _is_label(x):
        return x.__strata_str
    if _is_dep(x):
        return "<dependency " + x[_DEP_LABEL].__strata_str + ">"
    return _builtin_str(x)

def STRATA_INTERNAL_mod(a, b):
    """`a % b` with labels formatted as their text."""
    if type(a) == "string":
        b = tuple([_as_text(v) for v in b]) if type(b) == "tuple" else _as_text(b)
    return a % b

def _decode(v, deps):
    t = type(v)
    if t == "list":
        return [_decode(x, deps) for x in v]
    if t != "dict":
        return v
    k = v.get("__strata")
    if k == None:
        return {kk: _decode(x, deps) for kk, x in v.items()}
    if k == "dict":
        return {_decode(kk, deps): _decode(x, deps) for kk, x in v["items"]}
    if k == "artifact":
        return _mk_artifact(v)
    if k == "label":
        return _mk_label(v)
    if k == "dep":
        return _mk_dep(_select_sub_target(deps[v["target"]], v["sub_target"], v["label"], v["required"]), _mk_label(v["label_data"]))
    if k == "dep_output":
        d = _select_sub_target(deps[v["target"]], v["sub_target"], v["label"], [])
        outs = d[DefaultInfo].default_outputs
        if len(outs) != 1:
            fail("attribute `{}` expects a source, and `{}` has {} default outputs (expected exactly one)".format(v["attr"], v["label"], len(outs)))
        return outs[0]
    fail("internal error: cannot decode " + _builtin_str(v))

def _select_sub_target(providers, path, label, required):
    p = providers
    seen = []
    for name in path:
        subs = p[DefaultInfo].sub_targets
        if name not in subs:
            fail("target `{}` has no sub-target `{}` (available: {})".format(label.split("[")[0] + "".join(["[%s]" % s for s in seen]), name, ", ".join(sorted(subs.keys())) or "none"))
        seen.append(name)
        p = subs[name]
    have = [x.__strata_pid for x in p.values()]
    for pid in required:
        if pid not in have:
            fail("dependency `{}` does not provide required provider `{}`".format(label, __py_provider_name(pid)))
    return p

# ---------------------------------------------------------------------------------------------- rules and attrs

def _attr(ty, args = {}, default = None, has_default = False):
    return struct(__strata_kind = "attr", type = ty, args = args, default = default, has_default = has_default)

def _mk_attr_fn(ty, positional = 0, named = [], implicit_default = False):
    """`attrs.<ty>(...)`, accepting the parameters Buck2's does: `positional` inner attributes (-1: any number; for
    enum, one list of variants), the named parameters `named`, plus `default` and `doc`."""

    def _f(*args, default = None, doc = "", **kwargs):
        if positional >= 0 and len(args) != positional:
            fail("attrs.{}: expected {} positional argument{}, got {}".format(ty, positional, "" if positional == 1 else "s", len(args)))
        if ty != "enum":
            for a in args:
                if not _is_kind(a, "attr"):
                    fail("attrs.{}: expected an `attrs.*` value as argument, got `{}` of type `{}`".format(ty, _builtin_str(a), type(a)))
        for k in kwargs:
            if k not in named:
                fail("attrs.{}: unexpected parameter `{}` (parameters: {})".format(ty, k, ", ".join(named + ["default", "doc"])))
        has_default = implicit_default or default != None
        return _attr(ty, {"positional": list(args), "named": kwargs}, default, has_default)

    return _f

_DEP_PARAMS = ["providers", "pulls_plugins", "pulls_and_pushes_plugins"]

attrs = struct(
    string = _mk_attr_fn("string", named = ["validate"]),
    int = _mk_attr_fn("int"),
    bool = _mk_attr_fn("bool"),
    any = _mk_attr_fn("any"),
    regex = _mk_attr_fn("regex"),
    list = _mk_attr_fn("list", 1),
    tuple = _mk_attr_fn("tuple", -1),
    set = _mk_attr_fn("set", 1, ["sorted"]),
    dict = _mk_attr_fn("dict", 2, ["sorted"]),
    option = _mk_attr_fn("option", 1, implicit_default = True),
    one_of = _mk_attr_fn("one_of", -1),
    enum = _mk_attr_fn("enum", 1),
    source = _mk_attr_fn("source", named = ["allow_directory"]),
    dep = _mk_attr_fn("dep", named = _DEP_PARAMS),
    exec_dep = _mk_attr_fn("exec_dep", named = ["providers"]),
    toolchain_dep = _mk_attr_fn("toolchain_dep", named = ["providers"]),
    transition_dep = _mk_attr_fn("dep", named = ["providers", "cfg"]),
    label = _mk_attr_fn("label"),
    arg = _mk_attr_fn("arg", named = ["json", "anon_target_compatible"]),
    default_only = _mk_attr_fn("default_only", 1),
)

def rule(impl, attrs = {}, cfg = None, doc = "", is_configuration_rule = False, is_toolchain_rule = False, uses_plugins = []):
    if type(impl) != "function":
        fail("rule: `impl` must be a function, got `{}`".format(type(impl)))
    for k, a in attrs.items():
        if not _is_kind(a, "attr"):
            fail("rule: attribute `{}` must be an `attrs.*` value, got `{}` of type `{}`".format(k, _builtin_str(a), type(a)))
    rid = __py_new_rule(_enc(attrs), is_toolchain_rule)

    def _strata_rule_call(**kwargs):
        q = kwargs.get("__strata_query")
        if q == "rid":
            return rid
        if q == "impl":
            return impl
        __py_new_target(rid, _enc(kwargs), call_stack())
        return None

    return _strata_rule_call

def select(branches):
    if type(branches) != "dict":
        fail("select: expected a dict, got `{}`".format(type(branches)))
    return struct(__strata_kind = "select", branches = branches)

def select_map(sel, func):
    if not _is_kind(sel, "select"):
        fail("select_map: expected a select(), got `{}`".format(type(sel)))
    return struct(__strata_kind = "select", branches = {k: func(v) for k, v in sel.branches.items()})

def glob(include, exclude = [], **kwargs):
    return __py_glob(include, exclude)

def package_name():
    return __py_package_name()

def get_base_path():
    return __py_package_name()

def rule_exists(name):
    return __py_rule_exists(name)

def read_config(section, key, default = None):
    return __py_read_config(section, key, default, False)

def read_root_config(section, key, default = None):
    return __py_read_config(section, key, default, True)

def _to_struct(d):
    if type(d) == "dict":
        return struct(**{k: _to_struct(v) for k, v in d.items()})
    return d

def host_info():
    return _to_struct(__py_host_info())

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
