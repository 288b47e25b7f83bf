# Rules and attrs, and the loading-phase functions BUCK files call (Buck2: rule(), attrs.*, glob, select, read_config).

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
