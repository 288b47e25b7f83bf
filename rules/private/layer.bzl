"""image.layer: an image layer built from a parent layer and features, one runner action per build phase."""

load("//rules/private:build_phase.bzl", "BUILD_PHASE", "BUILD_PHASES")
load("//rules/private:debian.bzl", "DebianLayerInfo", "FlavorInfo", "layer_flavor")
load("//rules/private/features:apt_plan.bzl", "plan_apt")
load("//rules/private:feature_collection.bzl", "collect_features", "collection_attrs", "feature_inputs", "resolve_features")
load("//rules/private:providers.bzl", "LayerInfo")
load("//rules/private:toolchain.bzl", "StrataToolchainInfo", "run_here", "worker_run_exe")
load("//rules/private/features:registry.bzl", "FEATURE_TYPES_BY_NAME")
load("//rules/private/package:diff.bzl", "layer_diff_actions")

def _split_by_phase(features: list) -> list:
    """[(phase, features)] for the non-empty phases, in phase order; feature order kept within a phase."""
    by_phase = {}
    for f in features:
        by_phase.setdefault(FEATURE_TYPES_BY_NAME[f["type"]].phase, []).append(f)
    return [(phase, by_phase[phase]) for phase in BUILD_PHASES if phase in by_phase]

APPLIANCE_TOKEN = "@appliance"

def _layer_of(artifact, layers: list):
    """The LayerInfo among `layers` whose output `artifact` is, or None."""
    for info in layers:
        if info.subvol == artifact:
            return info
    return None

def _layer_refs(features: list, layers: list, appliance):
    """How a portable phase names the other layers its features read: each reference replaced by a token
    (`@layer:N`, `@appliance`) that the runner resolves to that layer rebuilt from its chain in its own store (a
    subvolume path would neither exist on another machine nor hash the same). None when some layer has no chain or is
    mounted (mounts are recorded by path): the phase is then built locally.

    Returns:
        struct(features = the features with tokens, refs = [(token, chain)]), or None.
    """
    refs = []
    out = []
    for f in features:
        ftype = FEATURE_TYPES_BY_NAME[f["type"]]
        g = f
        for key in ftype.layers:
            if f.get(key) == None:
                continue
            if ftype.mount != None:
                return None
            info = _layer_of(f[key], layers)
            if info == None or info.chain == None:
                return None
            token = "@layer:{}".format(len(refs))
            refs.append((token, info.chain))
            g = dict(g)
            g[key] = token
        resolved = g.get("resolved")
        if appliance != None and type(resolved) == "dict" and "appliance" in resolved:
            if appliance.chain == None:
                return None
            if not [r for r in refs if r[0] == APPLIANCE_TOKEN]:
                refs.append((APPLIANCE_TOKEN, appliance.chain))
            g = dict(g)
            g["resolved"] = dict(resolved)
            g["resolved"]["appliance"] = APPLIANCE_TOKEN
        out.append(g)
    return struct(features = out, refs = refs)

def _phase_actions(ctx, run_exe, label: str, phase: str, features: list, parent, chain: list | None, extra_inputs = [], appliance = None, layers = []):
    """Declares the actions of one phase; returns its outputs.

    `chain` lists the phases below this one as struct(key, diff, record), root first ([] for an empty parent), or
    is None when some phase below was built only locally. `appliance` is the build appliance's LayerInfo when a
    feature runs tools from it: a portable phase gets it as its chain, a local one as its subvolume. `layers` are the
    LayerInfo of the layers the features name (clone): a portable phase gets their chains too.

    A phase that can be built from its inputs alone is a portable `strata_phase` action (remote-buildable and
    cacheable: it writes what the phase changed) followed by a local_only `strata_materialise` that makes the local
    layer; any other phase is one local_only `strata_compile`.
    """
    features_file = ctx.actions.write_json(phase + "/features.json", features, pretty = True)
    inputs = feature_inputs(features) + extra_inputs
    parent_args = ["--parent", parent] if parent != None else []

    out = ctx.actions.declare_output(phase + "/layer")
    facts = ctx.actions.declare_output(phase + "/facts.json")
    refs = _layer_refs(features, layers, appliance) if chain != None else None
    if refs != None:
        ref_args = []
        phase_features_file = features_file
        if refs.refs:
            for token, ref_chain in refs.refs:
                for link in ref_chain:
                    ref_args.extend(["--layer-ref", cmd_args(token + "=", link.key, ",", link.diff, ",", link.record, delimiter = "")])
            phase_features_file = ctx.actions.write_json(phase + "/phase-features.json", refs.features, pretty = True)
        diff = ctx.actions.declare_output(phase + "/diff.tar")
        record = ctx.actions.declare_output(phase + "/record.json")
        key = ctx.actions.declare_output(phase + "/key")
        ancestors = []
        for link in chain:
            ancestors.extend(["--ancestor", cmd_args(link.key, link.diff, link.record, delimiter = ",")])
        ctx.actions.run(
            cmd_args(
                "phase",
                "--label",
                label,
                "--phase",
                phase,
                "--features",
                phase_features_file,
                ancestors,
                ref_args,
                "--diff-out",
                diff.as_output(),
                "--record-out",
                record.as_output(),
                "--key-out",
                key.as_output(),
                # the layers the features read come in as their chains (ref_args), not as subvolumes
                hidden = [i for i in inputs if _layer_of(i, layers) == None],
            ),
            category = "strata_phase",
            identifier = phase,
            exe = run_exe,
            env = ctx.attrs._strata_toolchain[StrataToolchainInfo].env,  # set here, not inherited (docs/remote.md)
        )
        parent_key = ["--parent-key", chain[-1].key] if parent != None else []
        # OUT is a symlink to a subvolume outside buck-out: it only means something on this machine.
        run_here(
            ctx,
            cmd_args("materialise", "--label", label, "--key", key, "--diff", diff, "--record", record, parent_args, parent_key, "--out", out.as_output()),
            category = "strata_materialise",
            identifier = phase,
            exe = run_exe,
        )
        chain = chain + [struct(key = key, diff = diff, record = record)]
    else:
        if appliance != None:
            inputs = inputs + [appliance.subvol]
        # it reads other layers' subvolumes, which only this machine has
        run_here(
            ctx,
            cmd_args(
                "compile",
                "--label",
                label,
                "--phase",
                phase,
                "--features",
                features_file,
                "--out",
                out.as_output(),
                parent_args,
                hidden = inputs,
            ),
            category = "strata_compile",
            identifier = phase,
            exe = run_exe,
        )
        chain = None

    # The full facts export is its own action: Buck2 runs it only when [facts] is asked for, so a child layer's
    # build never pays for exporting a large parent's facts.
    # it reads the facts record beside the subvolume OUT points to, on this machine
    run_here(
        ctx,
        cmd_args("facts", "--label", label, "--layer", out, "--out", facts.as_output()),
        category = "strata_facts",
        identifier = phase,
        exe = run_exe,
    )

    depgraph = ctx.actions.declare_output(phase + "/depgraph.txt")
    # it reads the parent's facts beside the parent's subvolume
    run_here(
        ctx,
        cmd_args(
            "depgraph",
            "--label",
            label,
            "--features",
            features_file,
            "--out",
            depgraph.as_output(),
            parent_args,
            hidden = inputs + ([appliance.subvol] if appliance != None else []),
        ),
        category = "strata_depgraph",
        identifier = phase,
        exe = run_exe,
    )
    return struct(out = out, facts = facts, features_file = features_file, depgraph = depgraph, chain = chain)

def _layer_impl(ctx: AnalysisContext) -> list[Provider]:
    toolchain = ctx.attrs._strata_toolchain[StrataToolchainInfo]
    runner = toolchain.runner
    label = str(ctx.label.raw_target())
    parent = ctx.attrs.parent_layer[LayerInfo] if ctx.attrs.parent_layer != None else None
    collected = resolve_features(ctx)
    parent_debian = ctx.attrs.parent_layer.get(DebianLayerInfo) if ctx.attrs.parent_layer != None else None
    flavor = layer_flavor(label, ctx.attrs.flavor[FlavorInfo] if ctx.attrs.flavor != None else None, parent_debian)
    apt = plan_apt(label, collected.features, flavor, parent, parent_debian)

    phases = _split_by_phase(apt.features)
    if not phases:
        # A layer without features still publishes its own snapshot (of its parent, or an empty image).
        phases = [(BUILD_PHASE.compile, [])]

    previous = parent.subvol if parent != None else None
    chain = (parent.chain if parent != None else [])
    facts = None
    debug = {}
    for phase, features in phases:
        pm = phase == BUILD_PHASE.package_manager
        built = _phase_actions(ctx, worker_run_exe(toolchain), label, phase, features, previous, chain, apt.inputs if pm else [], apt.appliance if pm else None, collected.layers)
        chain = built.chain
        debug[phase] = [DefaultInfo(
            default_outputs = [built.features_file, built.depgraph],
            sub_targets = {
                "depgraph": [DefaultInfo(default_output = built.depgraph)],
                "facts": [DefaultInfo(default_output = built.facts)],
                "features": [DefaultInfo(default_output = built.features_file)],
                "layer": [DefaultInfo(default_output = built.out)],
            },
        )]
        previous = built.out
        facts = built.facts
    out = previous

    all_features = ctx.actions.write_json("features.json", collected.features, pretty = True)
    diff = layer_diff_actions(ctx, runner, label, out, parent)
    sub_targets = {
        "container": [
            DefaultInfo(default_output = out),
            RunInfo(args = cmd_args(runner, "shell", "--layer", out, "--")),  # `buck2 run X -- CMD...`: CMD reaches the shell as is
        ],
        "debug": [DefaultInfo(sub_targets = debug)],
        "diff": [DefaultInfo(default_output = diff.tar)],
        "facts": [DefaultInfo(default_output = facts)],
        "features": [DefaultInfo(default_output = all_features)],
    }
    if ctx.attrs.parent_layer != None:
        sub_targets["parent_layer"] = [ctx.attrs.parent_layer[DefaultInfo], parent]

    return [
        DefaultInfo(default_output = out, sub_targets = sub_targets),
        LayerInfo(
            label = label,
            subvol = out,
            facts = facts,
            parent = parent,
            features = collected.features,
            mounts = (parent.mounts if parent != None else []) + collected.mounts,
            diff = diff,
            chain = chain,
        ),
        DebianLayerInfo(flavor = flavor, packages = apt.packages),
    ]

_layer_attrs = dict(collection_attrs())
_layer_attrs.update({
    "parent_layer": attrs.option(
        attrs.dep(providers = [LayerInfo]),
        default = None,
        doc = "The layer this one starts from (an image.layer target); None starts from an empty image.",
    ),
    "flavor": attrs.option(
        attrs.dep(providers = [FlavorInfo]),
        default = None,
        doc = "The flavor (rules/private/debian.bzl) the layer chain builds with; None inherits the parent's.",
    ),
    "_strata_toolchain": attrs.toolchain_dep(
        # cell-relative: resolves in the strata cell, whether it is the root cell or not
        default = "//:toolchain",
        providers = [StrataToolchainInfo],
        doc = "The strata runner.",
    ),
})

strata_layer = rule(
    impl = _layer_impl,
    attrs = _layer_attrs,
    doc = "An image layer: its parent's tree plus its features, built as one btrfs snapshot per non-empty build phase. Use the image.layer macro.",
)

def layer(name, parent_layer = None, features = [], visibility = None, flavor = None):
    """Declares an image layer: the parent layer's filesystem plus `features`.

    Builds to a symlink to a read-only btrfs subvolume holding the layer's root filesystem.
    Sub-targets: [facts], [features], [parent_layer], [container] (`buck2 run` gives a shell in the layer)
    and [debug][<phase>] (that phase's features file and dependency-graph output).

    Args:
        name: the target name.
        parent_layer: an image.layer target to start from (":base", "//img:base"), or None for an empty image.
        features: feature.* calls, feature.new target labels, and (nested) lists of them; None entries are
            skipped (as in antlir2).
        visibility: Buck2 visibility of the target (e.g. ["PUBLIC"]).
        flavor: a flavor target (packages and build appliance for feature.apt_*), or None to inherit the parent's.
    """
    where = "image.layer(name = \"{}\")".format(name)
    if parent_layer != None and (type(parent_layer) != "string" or ":" not in parent_layer):
        fail("{}: `parent_layer` must be an image.layer target label (like \":base\") or None; found {} {}".format(where, type(parent_layer), repr(parent_layer)))
    kwargs = collect_features(where, features)
    if parent_layer != None:
        kwargs["parent_layer"] = parent_layer
    if visibility != None:
        kwargs["visibility"] = visibility
    if flavor != None:
        kwargs["flavor"] = flavor
    strata_layer(name = name, **kwargs)
