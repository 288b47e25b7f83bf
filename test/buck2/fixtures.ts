// BUCK packages written into both copies of the project (never into the repository: `buck2 build //...` would
// then meet the error cases). `fx/chain` builds; each `fx/err/<case>` fails in its own way.
import { RULES_LOAD } from "./harness.js";

const GEN_BZL = `
def _gen_impl(ctx):
    return [DefaultInfo(default_output = ctx.actions.write("gen.txt", "generated\\n"))]

gen_file = rule(impl = _gen_impl, attrs = {})
`;

// A parent/child chain over every build phase the rules split into without packages: a target output installed,
// a removal phase, a genrule layer, a clone from another layer, a group of features, users, an empty layer.
// A macro file whose first line is a `def`: the local driver's own load() then takes a line of its own, and the
// features' call sites (their `loc`, in the [features] outputs compared below) must still be Buck2's lines.
const MACROS_BZL = `def chain_motd():
    return feature.install_text(dst = "/etc/chain-motd", text = "chain\\n")

load("//rules:defs.bzl", "feature")
`;

const CHAIN = `${RULES_LOAD}load(":gen.bzl", "gen_file")
load(":macros.bzl", "chain_motd")

gen_file(name = "gen")

feature.new(
    name = "accounts",
    features = [
        feature.group_add(groupname = "svc", gid = 2000),
        feature.user_add(username = "svc", primary_group = "svc", home_dir = "/srv", shell = "/bin/sh", uid = 2000),
    ],
)

image.layer(
    name = "parent",
    parent_layer = "//base:shell",
    features = [
        feature.ensure_dirs_exist(dirs = "/srv/data", mode = 0o750, user = "nobody", group = "nogroup"),
        feature.install(src = ":gen", dst = "/etc/gen.txt"),
        feature.install_text(dst = "/etc/greeting", text = "hello\\n", mode = "u=rw,go=r"),
        feature.install_text(dst = "/etc/old", text = "old\\n"),
        feature.ensure_file_symlink(link = "/etc/current", target = "/etc/greeting"),
        ":accounts",
        chain_motd(),
    ],
)

image.layer(
    name = "child",
    parent_layer = ":parent",
    features = [
        feature.install_text(dst = "/etc/greeting", text = "CHILD_TEXT\\n"),
        feature.remove(path = "/etc/greeting"),
        feature.remove(path = "/etc/old"),
        feature.clone(src_layer = "//examples:app", src_path = "/opt/vendor", dst_path = "/srv/vendor"),
        feature.usermod(username = "svc", add_supplementary_groups = ["nogroup"]),
    ],
)

image.genrule_layer(
    name = "generated",
    parent_layer = ":child",
    rule_type = "list",
    user = "root",
    cmd = ["/bin/sh", "-c", "cat /etc/passwd /etc/group > /srv/data/accounts.txt && chmod 0604 /srv/data/accounts.txt"],
)

image.layer(name = "empty")
`;

export const CHAIN_FILES: Record<string, string> = { "fx/chain/BUCK": CHAIN, "fx/chain/gen.bzl": GEN_BZL, "fx/chain/macros.bzl": MACROS_BZL };
export const CHAIN_LAYERS = ["//fx/chain:parent", "//fx/chain:child", "//fx/chain:generated", "//fx/chain:empty"];

export interface ErrorCase {
  name: string;
  buck: string;
  /**
   * "same": strata's own message (rules' fail(), the runner, Starlark): every `error:` line Buck2 prints, the driver
   * prints too (it adds one summary line naming the package). "buck2": Buck2's own message, worded by Buck2; both fail
   * and both name `mentions`.
   */
  kind: "same" | "buck2";
  mentions: string[];
  /**
   * Buck2 names this `BUCK-path:line` (a traceback frame or the `-->` line); the runner's errors of a feature start
   * with `BUCK-path:line:col: error:` at the feature's call (issue 19). Errors of Buck2's graph (missing_parent,
   * parent_not_a_layer) name the target, not a file and line.
   */
  at?: string;
  /** the runner's fix, in Starlark, under both */
  fix?: string;
}

const pkg = (c: string): string => `fx/err/${c}/BUCK`;

export const ERROR_CASES: ErrorCase[] = [
  {
    name: "bad_mode",
    buck: 'image.layer(name = "x", features = [feature.ensure_dirs_exist(dirs = "/etc", mode = [7])])',
    kind: "same",
    // the typed signature (mode: int | str): starlark-rust's type check, in Buck2 and in the driver alike
    mentions: ["Value `[7]` of type `list` does not match the type annotation `int | str` for argument `mode`"],
    at: `${pkg("bad_mode")}:2`,
  },
  {
    name: "bad_positional_type",
    buck: 'image.layer(name = "x", features = [feature.install(7, "/x")])',
    kind: "same",
    mentions: ["Value `7` of type `int` does not match the type annotation `str` for argument `src`"],
    at: `${pkg("bad_positional_type")}:2`,
  },
  {
    name: "keyword_only_given_positionally",
    buck: 'image.layer(name = "x", features = [feature.install(":a", "/x", 0o644)])',
    kind: "same",
    mentions: ["extra positional argument"],
    at: `${pkg("keyword_only_given_positionally")}:2`,
  },
  {
    name: "unknown_attribute",
    buck: 'image.layer(name = "x", features = [feature.remove(path = "/etc", recursive = True)])',
    kind: "same",
    mentions: ["recursive"],
    at: `${pkg("unknown_attribute")}:2`,
  },
  {
    name: "typo_in_layer_attribute",
    buck: 'image.layer(name = "x", featurs = [])',
    kind: "same",
    mentions: ["featurs"],
    at: `${pkg("typo_in_layer_attribute")}:2`,
  },
  {
    name: "typo_in_rule_name",
    buck: 'image.layr(name = "x")',
    kind: "same",
    mentions: ["has no attribute `layr`, did you mean `layer`?"],
    at: `${pkg("typo_in_rule_name")}:2`,
  },
  {
    name: "conflict",
    buck: 'image.layer(name = "x", features = [feature.install_text(dst = "/a", text = "1"), feature.install_text(dst = "/a", text = "2")])',
    kind: "same",
    mentions: ["/a is written by 2 different features"],
    at: `${pkg("conflict")}:2:83`, // the second of the two calls
    fix: "keep one of these features in the layer",
  },
  {
    name: "missing_dir",
    buck: 'image.layer(name = "x", features = [feature.install_text(dst = "/missing/dir/file", text = "x")])',
    kind: "same",
    mentions: ['requires "/missing/dir" but nothing provides it'],
    at: `${pkg("missing_dir")}:2:37`,
    fix: 'feature.ensure_dirs_exist(dirs = "/missing/dir") in the same layer',
  },
  {
    name: "parent_has_it",
    buck: 'image.layer(name = "x", parent_layer = "//base:shell", features = [feature.install_text(dst = "/etc/passwd", text = "x")])',
    kind: "same",
    mentions: ['"/etc/passwd" already exists in the parent layer'],
    at: `${pkg("parent_has_it")}:2:68`,
    fix: 'feature.remove(path = "/etc/passwd") in the same layer',
  },
  {
    name: "missing_group",
    buck: 'image.layer(name = "x", parent_layer = "//base:shell", features = [\n    feature.install_text(dst = "/etc/app.conf", text = "x", group = "worker"),\n])',
    kind: "same",
    mentions: ['requires group "worker" but nothing provides it'],
    at: `${pkg("missing_group")}:3:5`,
    fix: 'feature.group_add(groupname = "worker") in the same layer',
  },
  {
    name: "apt_no_flavor",
    buck: 'image.layer(name = "x", features = [feature.apt_install(packages = ["jq"])])',
    kind: "same",
    mentions: ["feature.apt_install needs a flavor", "the project declares the flavors //debian:bookworm, //debian:bookworm-bootstrap"],
    at: `${pkg("apt_no_flavor")}:2:37`,
    fix: 'image.layer(..., flavor = "//debian:bookworm") on this layer or a parent layer',
  },
  {
    name: "apt_typo",
    buck: 'image.layer(name = "x", flavor = "//debian:bookworm", features = [feature.apt_install(packages = ["jq", "pyton3"])])',
    kind: "same",
    mentions: ['package "pyton3" is in no index of the archive: a typo? did you mean "python3"'],
    at: `${pkg("apt_typo")}:2:67`,
    fix: 'feature.apt_install(packages = ["jq", "python3"])',
  },
  {
    name: "missing_source",
    buck: 'image.layer(name = "x", features = [feature.install(src = "nope.txt", dst = "/x")])',
    kind: "buck2",
    mentions: ["`nope.txt` does not exist"],
    at: `${pkg("missing_source")}:2`, // in the traceback; Buck2's caret points at rules/private/layer.bzl
  },
  {
    name: "missing_parent",
    buck: 'image.layer(name = "x", parent_layer = ":nope")',
    kind: "buck2",
    mentions: ["nope"],
  },
  {
    name: "parent_not_a_layer",
    buck: 'feature.new(name = "f", features = [])\nimage.layer(name = "x", parent_layer = ":f")',
    kind: "buck2",
    mentions: ["LayerInfo", "root//fx/err/parent_not_a_layer:f"],
  },
];

export const ERROR_FILES: Record<string, string> = Object.fromEntries(ERROR_CASES.map((c) => [pkg(c.name), `${RULES_LOAD}${c.buck}\n`]));
