# cmd_args, artifacts, labels and dependencies (Buck2: CommandLineArgLike, Artifact, Label, Dependency).

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
