"""image.genrule_layer: a layer made by running one command over a snapshot of its parent.

Use it to build intent-oriented macros (`image_<what_it_does>_layer`), not directly in BUCK files: the
command is opaque to strata, so keep it deterministic (no clocks, no randomness). It runs without network,
sees no host path, runs as `nobody` by default, and every path it leaves gets mtime = SOURCE_DATE_EPOCH.
"""

load("//rules/private:layer.bzl", "layer")
load("//rules/private/features:genrule.bzl", "genrule")

# antlir's values of `antlir_rule` (its oss_shim): how Meta's CI classified a target. Accepted so that BUCK files written
# for antlir build unchanged; checked, and otherwise without effect here.
ANTLIR_RULE_VALUES = ["antlir-private", "user-facing", "user-internal"]

def genrule_layer(name, parent_layer, rule_type, cmd = None, bash = None, user = "nobody", bind_repo_ro = False, antlir_rule = None, visibility = None):
    """Declares a layer: `parent_layer` after running `cmd` (or the `bash` script) in it.

    Args:
        name: the target name.
        parent_layer: the image.layer target the command runs in (it must provide the command's tools).
        rule_type: what the macro does, in snake_case ("translate_foo"): names the layer's purpose in messages.
        cmd: argv list, e.g. ["/bin/sh", "-c", "tr a-z A-Z < /in > /out"]; `$(location X)` / `$(exe X)` expand
            to the path of X's output (visible read-only).
        bash: instead of `cmd`, a script run with `/bin/bash -c` (antlir2's spelling); macros as in `cmd`.
        user: a user of the parent image to run as (default "nobody").
        bind_repo_ro: make the repository visible read-only at its own path.
        antlir_rule: antlir's target classification, one of "antlir-private", "user-facing", "user-internal" (or None).
            Accepted for BUCK files written for antlir; it does not change the layer.
        visibility: Buck2 visibility of the target.
    """
    where = "image.genrule_layer(name = \"{}\")".format(name)
    if type(rule_type) != "string" or rule_type == "" or not rule_type.replace("_", "a").isalnum():
        fail("{}: `rule_type` must be a snake_case description of what the layer does (like \"translate_foo\"); found {}".format(where, repr(rule_type)))
    if antlir_rule != None and antlir_rule not in ANTLIR_RULE_VALUES:
        fail("{}: `antlir_rule` must be one of {}; found {}".format(where, ", ".join(['"{}"'.format(v) for v in ANTLIR_RULE_VALUES]), repr(antlir_rule)))
    if type(parent_layer) != "string" or ":" not in parent_layer:
        fail("{}: `parent_layer` must be an image.layer target label (like \":base\"); found {}".format(where, repr(parent_layer)))
    layer(
        name = name,
        parent_layer = parent_layer,
        features = [genrule(cmd = cmd, bash = bash, user = user, bind_repo_ro = bind_repo_ro)],
        visibility = visibility,
    )
