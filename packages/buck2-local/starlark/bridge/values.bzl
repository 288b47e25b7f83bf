# The Buck2 rule API as Starlark values, for the local driver (evaluate.py).
# Values users touch (artifacts, cmd_args, providers, labels) are structs built here; they cross into Python
# only through `_enc`, which turns them into tagged plain data. Python callables are the `__py_*` globals.
# Buck2's value types for annotations, and `_enc`: how the driver's Starlark values cross into Python.
# The bridge is one module made of the files in starlark/bridge/, in the order pydriver/interp.py lists them.

_builtin_str = str

# Buck2's value types, for annotations in .bzl files. The driver's ctx, artifacts and provider values are structs, so
# annotations with those three types are checked (a string is not an Artifact); the others accept anything.
AnalysisContext = struct
Provider = struct
Artifact = struct
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

def strata_call_stack(strip_frames = 0):
    """Buck2's `call_stack()`, loaded as `call_stack` into every module: the lines of the user's files (the driver's
    injected `load()` may take a line of its own), without the driver's frames."""
    return __py_call_stack(call_stack(), strip_frames)
