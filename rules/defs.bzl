"""Public API of strata, the one file users load: `image`, `feature`, `image_test` (and antlir2's name for it,
`image_sh_test`), `package`, `deb_repo`, `flavor`, `deb_file` and the providers `LayerInfo` and `FeatureInfo`. Everything under
rules/private/ is internal and may change.

    load("@strata//rules:defs.bzl", "feature", "image", "image_test")   # strata as a cell of your project
    load("//rules:defs.bzl", "feature", "image", "image_test")          # inside the strata repository
"""

load("//rules/private:feature_new.bzl", _feature_new = "new")
load("//rules/private:layer.bzl", _layer = "layer")
load("//rules/private:providers.bzl", _FeatureInfo = "FeatureInfo", _LayerInfo = "LayerInfo")
# each feature function by name, so go-to-definition on `feature.install` leads to its def (a struct built
# with `**` leads nowhere); test/features/parity.test.ts checks these are the registered ones, every one
load("//rules/private/features:apt_install.bzl", _apt_install = "apt_install")
load("//rules/private/features:apt_remove.bzl", _apt_remove = "apt_remove")
load("//rules/private/features:apt_remove_if_exists.bzl", _apt_remove_if_exists = "apt_remove_if_exists")
load("//rules/private/features:clone.bzl", _clone = "clone")
load("//rules/private/features:ensure_dir_symlink.bzl", _ensure_dir_symlink = "ensure_dir_symlink")
load("//rules/private/features:ensure_dirs_exist.bzl", _ensure_dirs_exist = "ensure_dirs_exist")
load("//rules/private/features:ensure_file_symlink.bzl", _ensure_file_symlink = "ensure_file_symlink")
load("//rules/private/features:ensure_subdirs_exist.bzl", _ensure_subdirs_exist = "ensure_subdirs_exist")
load("//rules/private/features:genrule.bzl", _genrule = "genrule")
load("//rules/private/features:group_add.bzl", _group_add = "group_add")
load("//rules/private/features:hardlink.bzl", _hardlink = "hardlink")
load("//rules/private/features:install.bzl", _install = "install")
load("//rules/private/features:install_text.bzl", _install_text = "install_text")
load("//rules/private/features:layer_mount.bzl", _layer_mount = "layer_mount")
load("//rules/private/features:remove.bzl", _remove = "remove")
load("//rules/private/features:requires.bzl", _requires = "requires")
load("//rules/private/features:tarball.bzl", _tarball = "tarball")
load("//rules/private/features:user_add.bzl", _user_add = "user_add")
load("//rules/private/features:usermod.bzl", _usermod = "usermod")
load("//rules/private:genrule_layer.bzl", _genrule_layer = "genrule_layer")
load("//rules/private:image_test.bzl", _image_sh_test = "image_sh_test", _image_test = "image_test")
load("//rules/private/package:defs.bzl", _package = "package")
load("//rules/private:debian.bzl", _deb_repo = "deb_repo", _flavor = "flavor")
load("//rules/private:fetch.bzl", _deb_file = "deb_file")

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

# feature.new plus one function per registered feature type (rules/private/features/registry.bzl), each written out
# (test/features/parity.test.ts keeps the two lists equal).
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
feature = struct(
    new = _feature_new,
    apt_install = _apt_install,
    apt_remove = _apt_remove,
    apt_remove_if_exists = _apt_remove_if_exists,
    clone = _clone,
    ensure_dir_symlink = _ensure_dir_symlink,
    ensure_dirs_exist = _ensure_dirs_exist,
    ensure_file_symlink = _ensure_file_symlink,
    ensure_subdirs_exist = _ensure_subdirs_exist,
    genrule = _genrule,
    group_add = _group_add,
    hardlink = _hardlink,
    install = _install,
    install_text = _install_text,
    layer_mount = _layer_mount,
    remove = _remove,
    requires = _requires,
    tarball = _tarball,
    user_add = _user_add,
    usermod = _usermod,
)

"""`image_test(name, layer, test, args = [], user = "root", env = {}, labels = [], visibility = None)`: a test
(`buck2 test`) that runs the program `test` inside a throwaway snapshot of `layer`, isolated from the host, as `user`.
Definition: rules/private/image_test.bzl.
"""
image_test = _image_test
image_sh_test = _image_sh_test

package = _package

deb_repo = _deb_repo
flavor = _flavor
deb_file = _deb_file

LayerInfo = _LayerInfo
FeatureInfo = _FeatureInfo
