"""Public API of strata, the one file users load: `image`, `feature`, `image_test` (and antlir2's name for it,
`image_sh_test`), `package`, `deb_repo`, `flavor` and the providers `LayerInfo` and `FeatureInfo`. Everything under
rules/private/ is internal and may change.

    load("@strata//rules:defs.bzl", "feature", "image", "image_test")   # strata as a cell of your project
    load("//rules:defs.bzl", "feature", "image", "image_test")          # inside the strata repository
"""

load("//rules/private:feature_new.bzl", _feature_new = "new")
load("//rules/private:layer.bzl", _layer = "layer")
load("//rules/private:providers.bzl", _FeatureInfo = "FeatureInfo", _LayerInfo = "LayerInfo")
load("//rules/private/features:registry.bzl", "FEATURE_FUNCTIONS")
load("//rules/private:genrule_layer.bzl", _genrule_layer = "genrule_layer")
load("//rules/private:image_test.bzl", _image_sh_test = "image_sh_test", _image_test = "image_test")
load("//rules/private/package:defs.bzl", _package = "package")
load("//rules/private:debian.bzl", _deb_repo = "deb_repo", _flavor = "flavor")

"""Image rules (hover text for IDEs: `buck2 lsp` shows this for `image.layer` and `image.genrule_layer`).

- `image.layer(name, parent_layer = None, features = [], visibility = None)`: the parent layer's filesystem plus
  `features`, built to a read-only btrfs subvolume. Sub-targets: `[facts]`, `[features]`, `[parent_layer]`,
  `[container]` (`buck2 run` gives a shell in the layer), `[debug][<phase>]`.
- `image.genrule_layer(name, parent_layer, rule_type, cmd = None, bash = None, user = "nobody", bind_repo_ro = False, antlir_rule = None, visibility = None)`:
  the parent layer after running `cmd` (argv list) or the `bash` script in it, without network, as `user`.

Docs: docs/rules.md. Definitions: rules/private/layer.bzl, rules/private/genrule_layer.bzl.
"""
image = struct(
    layer = _layer,
    genrule_layer = _genrule_layer,
)

# feature.new plus one function per registered feature type (rules/private/features/registry.bzl).
"""Features, the parts of an image.layer (hover text for IDEs: `buck2 lsp` shows this for every `feature.*`).

- `feature.new(name, features, visibility = None)`: a named, reusable group of features
- `feature.apt_install(packages)`: installs Debian packages (and their dependencies) from the layer's flavor's lock; with no parent layer, bootstraps the essential set first
- `feature.apt_remove(packages)`: purges installed Debian packages (an error if one is not installed)
- `feature.apt_remove_if_exists(packages)`: purges those of the Debian packages that are installed
- `feature.clone(*, src_layer, src_path = None, dst_path = None, path = None, user = None, group = None)`: copies a path, with owners and modes, from another layer
- `feature.ensure_dir_symlink(link, target)`: a symlink to a directory of the image
- `feature.ensure_dirs_exist(dirs, *, mode = 0o755, user = "root", group = "root")`: `mkdir -p dirs`
- `feature.ensure_file_symlink(link, target)`: a symlink to a file of the image
- `feature.ensure_subdirs_exist(into_dir, subdirs_to_create, *, mode = 0o755, user = "root", group = "root", xattrs = {})`: `mkdir -p into_dir/subdirs_to_create`; `into_dir` must exist
- `feature.genrule(*, cmd = None, bash = None, user = "nobody", bind_repo_ro = False)`: runs `cmd` (or the `bash` script) in the layer's tree (prefer image.genrule_layer)
- `feature.group_add(groupname, *, gid = None, uidmap = None)`: adds a group (`gid = None`: lowest free from 1000)
- `feature.hardlink(link, target)`: a hard link `link` to the file `target` of the image
- `feature.install(src, dst, *, mode = None, user = "root", group = "root", xattrs = {})`: copies a file of the package (or a target's output) to `dst`; a directory needs `dst` ending in `/` and is installed as it
- `feature.install_text(text, dst, *, mode = 0o444, user = "root", group = "root", xattrs = {})`: writes `text` to the file `dst`
- `feature.layer_mount(source, mountpoint)`: mounts another layer at run time; the build makes the mountpoint
- `feature.remove(path, *, must_exist = True)`: deletes `path`, recursively (runs before the compile phase)
- `feature.requires(*, files = [], users = [], groups = [])`: fails the build unless these exist in the finished layer
- `feature.tarball(src, into_dir, *, force_root_ownership = False, strip_components = 0)`: unpacks `.tar`, `.tar.gz`, `.tgz`, `.tar.zst`, `.tar.xz` into `into_dir`
- `feature.user_add(username, *, primary_group, home_dir, shell = "/sbin/nologin", uid = None, supplementary_groups = [], comment = None, uidmap = None, add_primary_group_member = True)`: adds a user
- `feature.usermod(username, *, add_supplementary_groups)`: adds an existing user to more groups

Docs: docs/rules.md. Definitions: rules/private/features/<name>.bzl.
"""
feature = struct(new = _feature_new, **FEATURE_FUNCTIONS)

"""`image_test(name, layer, test, args = [], user = "root", env = {}, labels = [], visibility = None)`: a test
(`buck2 test`) that runs the program `test` inside a throwaway snapshot of `layer`, isolated from the host, as `user`.
Definition: rules/private/image_test.bzl.
"""
image_test = _image_test
image_sh_test = _image_sh_test

package = _package

deb_repo = _deb_repo
flavor = _flavor

LayerInfo = _LayerInfo
FeatureInfo = _FeatureInfo
