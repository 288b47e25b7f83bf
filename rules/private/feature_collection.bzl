"""Features from a BUCK file to the features files of the runner, in two halves.

Macro half (BUCK evaluation): `collect_features` flattens the user's `features` list (nested lists, inline
feature dicts, feature.new target labels) into the attributes of a collecting rule: the inline dicts, and
dicts from reference string to source / layer / feature group, so Buck2 sees every dependency.

Rule half (analysis): `resolve_features` puts artifacts in place of those strings and stamps each feature
with the label of the target that declared it.
"""

load("//rules/private:providers.bzl", "FeatureInfo", "LayerInfo")
load("//rules/private/features:registry.bzl", "FEATURE_TYPES_BY_NAME")

# Key of the placeholder dict that keeps a feature.new group's place in the features list.
_GROUP_KEY = "feature_group"

# The feature attributes that hold sources ("src", "uidmap", ...): the collecting rules get one attribute of each
# name, so an error about a source (Buck2's "Error coercing attribute `src`") names the attribute the user wrote.
_SOURCE_ATTRS = sorted({key: None for t in FEATURE_TYPES_BY_NAME.values() for key in t.sources + t.source_dicts}.keys())

# Nested lists deeper than this are surely a mistake (and Starlark has no recursion to go on forever).
_MAX_NESTING = 32

def _flatten(where: str, features) -> list:
    items = features
    for _ in range(_MAX_NESTING):
        if not [x for x in items if type(x) in ("list", "tuple")]:
            return list(items)  # a tuple stays a tuple up to here, and `-> list` is checked at run time
        flat = []
        for x in items:
            if type(x) in ("list", "tuple"):
                flat.extend(x)
            else:
                flat.append(x)
        items = flat
    fail("{}: `features` is nested more than {} lists deep".format(where, _MAX_NESTING))

def _describe(value) -> str:
    if type(value) == "string":
        return "string \"{}\"".format(value)
    return "{} {}".format(type(value), repr(value))

def _is_select(value) -> bool:
    # Buck2's select() is of type "Select" ("selector" in older releases); the local driver models it as a struct of kind "select"
    return type(value) in ("Select", "selector") or (type(value) == "struct" and getattr(value, "__strata_kind", None) == "select")

def collect_features(where: str, features) -> dict:
    """Turns a macro's `features` argument into the collecting rule's attributes.

    A select() among the features (its branches: a feature, a list of them, or None) stays a select() in the
    `features` attribute, resolved when the target is configured; the rule sorts the chosen features into
    phases. The sources, layers and groups of every branch are dependencies.

    Args:
        where: the macro call, for messages (`image.layer(name = "foo")`).
        features: a list of feature.* results, feature.new target labels, select()s of them and lists of them.

    Returns:
        a dict of the attributes `features`, `layers`, `feature_groups` and one per source attribute (`src`, ...).
    """
    if type(features) not in ("list", "tuple"):
        fail("{}: `features` must be a list of feature.* calls and feature.new target labels; found {}".format(where, _describe(features)))
    srcs = {key: {} for key in _SOURCE_ATTRS}
    layers = {}
    groups = {}
    refs = struct(srcs = srcs, layers = layers, groups = groups)

    # runs of plain features and select()s, in the user's order
    parts = [[]]
    for i, item in enumerate(_flatten(where, features)):
        if _is_select(item):
            parts.append(select_map(item, lambda branch: _collect_plain(where, i, _flatten(where, [branch]), refs, in_select = True)))
            parts.append([])
        else:
            parts[-1].extend(_collect_plain(where, i, [item], refs, in_select = False))
    value = parts[0]
    for part in parts[1:]:
        value = _concat(value, part)
    return dict({"features": value, "layers": layers, "feature_groups": groups}, **srcs)

def _concat(a, b):
    """`a + b` for lists and select()s of lists (as a select_map, which Buck2 and the local driver both take)."""
    if type(b) == "list" and not b:
        return a
    if type(a) == "list" and type(b) == "list":
        return a + b
    if type(a) == "list":
        return select_map(b, lambda x: a + x)
    if type(b) == "list":
        return select_map(a, lambda x: x + b)
    return select_map(a, lambda x: select_map(b, lambda y: x + y))

def _collect_plain(where: str, i: int, items: list, refs, in_select: bool) -> list:
    inline = []
    for item in items:
        if item == None:
            continue  # as in antlir2: `[feature.x(...) if cond else None]`
        if _is_select(item):
            fail("{}: features[{}] holds a select() inside a select(); write one select() with a branch for each combination".format(where, i))
        if type(item) == "string":
            if ":" not in item:
                fail("{}: features[{}] must be a feature.* call or a feature.new target label (like \":common\"); found {}".format(where, i, _describe(item)))
            refs.groups[item] = item
            inline.append({_GROUP_KEY: item})
            continue
        ftype = FEATURE_TYPES_BY_NAME.get(item.get("type")) if type(item) == "dict" else None
        if ftype == None:
            fail("{}: features[{}]{} must be a feature.* call or a feature.new target label; found {}".format(where, i, " (a branch of its select())" if in_select else "", _describe(item)))
        for key in ftype.sources:
            if item.get(key) != None:  # an optional source (uidmap) left out
                refs.srcs[key][item[key]] = item[key]
        for key in ftype.source_dicts:
            for value in item[key].values():
                refs.srcs[key][value] = value
        for key in ftype.layers:
            refs.layers[item[key]] = item[key]
        inline.append(item)
    return inline

def collection_attrs() -> dict:
    """The attributes `collect_features` fills, for the rules that collect features."""
    sources = {
        key: attrs.dict(
            attrs.string(),
            attrs.source(allow_directory = True),
            default = {},
            doc = "Sources the features name in their `{}` attribute, keyed by the string written there.".format(key),
        )
        for key in _SOURCE_ATTRS
    }
    return dict(sources, **{
        "features": attrs.list(
            attrs.dict(attrs.string(), attrs.any()),
            default = [],
            doc = "Inline features (dicts made by feature.* functions), and placeholders for feature groups.",
        ),
        "layers": attrs.dict(
            attrs.string(),
            attrs.dep(providers = [LayerInfo]),
            default = {},
            doc = "Layers the features read (clone, layer_mount), keyed by the label the feature names them with.",
        ),
        "feature_groups": attrs.dict(
            attrs.string(),
            attrs.dep(providers = [FeatureInfo]),
            default = {},
            doc = "feature.new targets listed among the features, keyed by their label as written.",
        ),
    })

def resolve_features(ctx):
    """The collected features with artifacts in place of references, each with its declaring `label`
    (attributes left None are left out).

    Returns:
        struct(features = list of dicts in the user's order, mounts = list of layer mounts, layers = the LayerInfo of
        every layer the features name, those of feature groups included).
    """
    label = str(ctx.label.raw_target())
    features = []
    mounts = []
    layers = []
    for item in ctx.attrs.features:
        if _GROUP_KEY in item:
            group = ctx.attrs.feature_groups[item[_GROUP_KEY]][FeatureInfo]
            features.extend(group.features)
            mounts.extend(group.mounts)
            layers.extend(group.layers)
            continue
        ftype = FEATURE_TYPES_BY_NAME[item["type"]]
        resolved = {"type": item["type"], "label": label, "phase": ftype.phase}
        for key, value in item.items():
            # None means "the feature's default": absent from the features file
            if key != "type" and value != None:
                resolved[key] = value
        for key in ftype.sources:
            if item.get(key) != None:
                resolved[key] = getattr(ctx.attrs, key)[item[key]]
        for key in ftype.source_dicts:
            resolved[key] = {k: getattr(ctx.attrs, key)[v] for k, v in item[key].items()}
        for key in ftype.layers:
            layers.append(ctx.attrs.layers[item[key]][LayerInfo])
            resolved[key] = layers[-1].subvol
        if ftype.mount != None:
            source, mountpoint = ftype.mount
            mounts.append({
                "mountpoint": item[mountpoint],
                "source": resolved[source],
                "source_label": ctx.attrs.layers[item[source]][LayerInfo].label,
            })
        features.append(resolved)
    return struct(features = features, mounts = mounts, layers = layers)

def feature_inputs(features: list) -> list:
    """The artifacts that resolved features read (sources and layers): inputs of the actions using them."""
    inputs = []
    for f in features:
        ftype = FEATURE_TYPES_BY_NAME[f["type"]]
        for key in ftype.sources + ftype.layers:
            if f.get(key) != None:
                inputs.append(f[key])
        for key in ftype.source_dicts:
            inputs.extend(f.get(key, {}).values())
    return inputs
