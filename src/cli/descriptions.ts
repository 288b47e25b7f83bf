// One line per strata command, shared by the top-level `--help` (runner/main.ts lists every command without
// loading it) and each command's own help.
export const COMMAND_DESCRIPTIONS = {
  compile: "build one phase of a layer: snapshot the parent, apply the features, publish OUT as a read-only layer",
  phase: "build one phase as a portable action: rebuild the parent from its ancestors' diffs, apply the features, write the phase's diff, record and key",
  materialise: "publish OUT as the local read-only layer of a phase: its tree if the working volume has it, else the parent's layer with the phase's diff applied",
  depgraph: "validate a phase's features (every error at once) and print the order they apply in",
  facts: "write the facts of a published layer (paths, users, groups, mounts) as one JSON document",
  gc: "remove unreferenced layers older than the grace period from the working volume",
  clean: "unmount and remove the working volume with every layer in it (then the checkout can be deleted)",
  local: "local Buck2 driver: evaluate BUCK/.bzl files with starlark-rust and run the actions",
  "image-test": "run a test program inside a throwaway snapshot of a layer (isolated; the layer is never changed)",
  shell: "open a shell (or run `-- CMD...`) inside a throwaway snapshot of a layer; changes are discarded",
  "deb-extract": "write the data tarball of a .deb (uncompressed) to OUT",
  package: "package a layer as tar, cpio, squashfs, ext4, a btrfs send stream or an OCI image (bit-identical where the format allows)",
  unshare: "run a command inside strata's user namespace (rootless builds): as the image's root, with the ids layers hold (e.g. to remove a working volume by hand)",
  worker: "serve Buck2's persistent-worker protocol on $WORKER_SOCKET: run the actions' commands in one long-lived process",
  lint: "check BUCK and .bzl files for what evaluation cannot see (`mode = 644`, a decimal literal written for octal); exit 1 with `path:line:col: error:` lines",
  "deb-lock": "resolve a Debian package manifest against the configured mirror (host apt, private state) into a lock",
} as const;

export type CommandName = keyof typeof COMMAND_DESCRIPTIONS;
