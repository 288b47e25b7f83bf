"""Shared pieces of the feature modules: the feature-type descriptor and argument checks.

A feature function runs while a BUCK file is evaluated and returns a plain dict: `type` plus exactly the
attributes of the call. Sources and layers stay label strings here; the rule that collects the features
resolves them to artifacts (see rules/private/feature_collection.bzl).
"""

def feature_type(name: str, phase: str, function, sources: list[str] = [], layers: list[str] = [], mount = None, source_dicts: list[str] = [], planned: list[str] = []):
    """Describes one feature type for the registry.

    Args:
        name: the feature type, as in the features file and `src/features/<name>.ts`.
        phase: the build phase its features run in (a value of BUILD_PHASE).
        function: the `feature.<name>` function users call.
        sources: attributes holding a source file, directory or target output; they become artifact paths.
        layers: attributes holding an image layer target; they become that layer's output path.
        mount: for features that mount a layer when the image runs: (attribute of the layer, attribute of the
            mountpoint); the layer's LayerInfo then lists the mount.
        source_dicts: attributes holding a dict whose values are targets or sources (genrule's macro targets);
            each value becomes an artifact path.
        planned: attributes the rules fill at analysis (the apt features' package plan), never written by users.
    """
    return struct(name = name, phase = phase, function = function, sources = sources, layers = layers, mount = mount, source_dicts = source_dicts, planned = planned)

def _frame_place(line: str) -> str | None:
    """`path:line` of a `call_stack()` frame line (`  * path:line, in fn`), else None."""
    if not line.startswith("  * ") or ", in " not in line:
        return None
    return line[len("  * "):].rsplit(", in ", 1)[0]

def call_site() -> str | None:
    """`path:line` of the feature function's caller outside strata's rules: the line of the user's `feature.*` call
    (in the BUCK file, or in the user's macro that calls it). Buck2's `call_stack()` gives lines, not columns;
    the runner finds the column in the file when it reports an error (src/errors.ts). None when no user frame is
    on the stack."""
    places = [p for p in [_frame_place(l) for l in call_stack().split("\n")] if p != None]

    # the last frame is this function: its file tells where strata's rules are, as the stack names them
    own = places[-1].rsplit(":", 1)[0] if places else ""
    rules = own[:-len("private/features/common.bzl")] if own.endswith("private/features/common.bzl") else own
    for place in reversed(places):
        if not place.startswith(rules):
            return place
    return None

def _kind(value) -> str:
    t = type(value)
    if t == "string":
        return "string \"{}\"".format(value)
    if t == "NoneType":
        return "None"
    return "{} {}".format(t, repr(value))

def _bad(ftype: str, attr: str, expected: str, value):
    fail("feature.{}: attribute `{}` must be {}; found {}".format(ftype, attr, expected, _kind(value)))

def check_string(ftype: str, attr: str, value):
    """A non-empty string."""
    if type(value) != "string" or value == "":
        _bad(ftype, attr, "a non-empty string", value)

def check_image_path(ftype: str, attr: str, value):
    """An absolute path inside the image, like "/etc/app.conf"."""
    if type(value) != "string" or not value.startswith("/"):
        _bad(ftype, attr, "an absolute image path (a string starting with \"/\")", value)

def check_relative_path(ftype: str, attr: str, value):
    """A non-empty path relative to another image path, like "a/b"."""
    if type(value) != "string" or value == "" or value.startswith("/"):
        _bad(ftype, attr, "a relative path (a non-empty string not starting with \"/\")", value)

def check_mode(ftype: str, attr: str, value, allow_none: bool = False, file: bool = False):
    """A mode: an int (0o644) or a string ("0644", "u=rw,go=r"); None only if allowed.

    Only what no meant mode can be is refused here: once evaluated, `mode = 644` is the int 0o1204, a valid mode.
    The decimal literal is refused where the source is read: by the local driver and by `strata lint`. What stays
    is the range and, for a `file`, an int with the sticky bit: Linux ignores it on files, so it is never meant, and
    it is how most decimal literals (644, 755, 664, 775, 600, 640, 700, 750) show once evaluated."""
    if value == None and allow_none:
        return
    t = type(value)
    if t == "int":
        if value < 0 or value > 0o7777:
            _bad(ftype, attr, "a mode between 0 and 0o7777", value)
        if file and value & 0o1000:
            _sticky_file(ftype, attr, value)
        return
    if t == "string" and value != "":
        return
    _bad(ftype, attr, "an int or a string (like 0o644 or \"u=rw,go=r\")" + (" or None" if allow_none else ""), value)

def _sticky_file(ftype: str, attr: str, value: int):
    decimal = str(value)
    written = len(decimal) in (3, 4) and not [d for d in decimal.elems() if d in "89"]
    cause = ": `{} = {}` is a decimal number written for octal; write 0o{}".format(attr, decimal, decimal) if written else "; write 0o%o" % (value & 0o6777)
    fail("feature.{}: attribute `{}` is 0o%o, which sets the sticky bit on a file (Linux ignores it there, so it is never meant){} (`strata lint` finds decimal modes in BUCK and .bzl files)".format(ftype, attr, cause) % value)

def check_owner(ftype: str, attr: str, value):
    """A user or group: a name or a non-negative number."""
    if type(value) == "string" and value != "":
        return
    if type(value) == "int" and value >= 0:
        return
    _bad(ftype, attr, "a name (string) or a non-negative id (int)", value)

def check_optional_id(ftype: str, attr: str, value):
    """A uid/gid or None (allocated by the runner)."""
    if value == None:
        return
    if type(value) != "int" or value < 0:
        _bad(ftype, attr, "a non-negative int or None", value)

def check_optional_string(ftype: str, attr: str, value):
    """A string or None."""
    if value != None and type(value) != "string":
        _bad(ftype, attr, "a string or None", value)

def check_bool(ftype: str, attr: str, value):
    """True or False."""
    if type(value) != "bool":
        _bad(ftype, attr, "True or False", value)

def check_string_list(ftype: str, attr: str, value, check_item = check_string):
    """A list of strings; each item also passes `check_item`."""
    if type(value) != "list":
        _bad(ftype, attr, "a list of strings", value)
    for item in value:
        check_item(ftype, attr + "[]", item)

def check_target(ftype: str, attr: str, value):
    """A target label (":name", "//pkg:name", "cell//pkg:name")."""
    if type(value) != "string" or ":" not in value:
        _bad(ftype, attr, "a target label (like \":name\" or \"//pkg:name\")", value)

def check_source(ftype: str, attr: str, value):
    """A source file or directory of this package (like "files/app.conf") or a target (like ":gen")."""
    if type(value) != "string" or value == "":
        _bad(ftype, attr, "a source path or a target label (a non-empty string)", value)

def check_xattrs(ftype: str, attr: str, value):
    """Extended attributes as antlir2 takes them: {"user.name": value}, a value plain text, "0x" + hex or "0s" + base64."""
    if type(value) != "dict":
        _bad(ftype, attr, "a dict of xattr name to value (like {\"user.foo\": \"bar\"})", value)
    for k, v in value.items():
        if type(k) != "string" or not (k.startswith("user.") or k.startswith("trusted.") or k.startswith("security.")):
            _bad(ftype, attr + " key", "an xattr name in the user., trusted. or security. namespace", k)
        if type(v) != "string":
            _bad(ftype, "{}[\"{}\"]".format(attr, k), "a string (plain, \"0x\" + hex or \"0s\" + base64)", v)

def uidmap_source(ftype: str, value):
    """`uidmap` as a source: None stays None; antlir2's bare names ("antlir") mean the project's `//uidmaps:<name>`
    target; a label or a path of this package is taken as it is."""
    if value == None:
        return None
    if type(value) != "string" or value == "":
        _bad(ftype, "uidmap", "a uidmap name (like \"antlir\"), a target label or a JSON file of this package, or None", value)
    if ":" in value or "/" in value or "." in value:
        return value
    return "//uidmaps:" + value
