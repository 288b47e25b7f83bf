// The one table of strata's commands, read by the command line (runner/main.ts) and by the persistent worker
// (`strata worker`, src/cli/worker.ts): each command's name, its one-line description, whether the worker serves it,
// and where its options and handler live. A command's module is loaded only when it runs: start-up time matters
// (a child layer build is one short process), and the top-level `--help` needs only names and descriptions.
import type { CommandModule } from "yargs";
import type { CommandLoader } from "./worker/execute.js";

export interface Command {
  name: string;
  /** shared by the top-level `--help` and the command's own help */
  description: string;
  /** served by the persistent worker: the commands Buck2 actions run (rules/private/layer.bzl); interactive ones
   * (shell, image-test) stay one-shot processes */
  worker: boolean;
  /** the command's yargs module (its options and handler), with its description */
  load: CommandLoader;
}

/** loads the command's module; it is given the description for a module that builds its command from it */
type Module = (description: string) => Promise<unknown>;

function command(name: string, worker: boolean, description: string, module: Module): Command {
  return { name, description, worker, load: async () => ({ ...(await module(description)) as CommandModule<object, never>, describe: description }) };
}

/** the commands the worker serves, by name, in the table's order */
export function workerCommands(): Record<string, CommandLoader> {
  return Object.fromEntries(COMMANDS.filter((c) => c.worker).map((c) => [c.name, c.load]));
}

/** every command, in the order the top-level `--help` lists them */
export const COMMANDS: readonly Command[] = [
  command("compile", true,
    "build one phase of a layer: snapshot the parent, apply the features, publish OUT as a read-only layer",
    async () => (await import("./cli/compile.js")).compileCommand),
  command("phase", true,
    "build one phase as a portable action: rebuild the parent from its ancestors' diffs, apply the features, write the phase's diff, record and key",
    async () => (await import("./cli/phase.js")).phaseCommand),
  command("materialise", true,
    "publish OUT as the local read-only layer of a phase: its tree if the working volume has it, else the parent's layer with the phase's diff applied",
    async () => (await import("./cli/materialise.js")).materialiseCommand),
  command("depgraph", true,
    "validate a phase's features (every error at once) and print the order they apply in",
    async () => (await import("./cli/depgraph.js")).depgraphCommand),
  command("facts", true,
    "write the facts of a published layer (paths, users, groups, mounts) as one JSON document",
    async () => (await import("./cli/facts.js")).factsCommand),
  command("gc", false,
    "remove unreferenced layers older than the grace period from the working volume",
    async () => (await import("./cli/gc.js")).gcCommand),
  command("clean", false,
    "unmount and remove the working volume with every layer in it (then the checkout can be deleted)",
    async () => (await import("./cli/clean.js")).cleanCommand),
  command("local", false,
    "local Buck2 driver: evaluate BUCK/.bzl files with starlark-rust and run the actions",
    async (description) => (await import("./driver/cli.js")).localCommand(description, workerCommands())),
  command("image-test", false,
    "run a test program inside a throwaway snapshot of a layer (isolated; the layer is never changed)",
    async () => (await import("./cli/image-test.js")).imageTestCommand),
  command("shell", false,
    "open a shell (or run `-- CMD...`) inside a throwaway snapshot of a layer; changes are discarded",
    async () => (await import("./cli/shell.js")).shellCommand),
  command("package", false,
    "package a layer as tar, cpio, squashfs, ext4, a btrfs send stream or an OCI image (bit-identical where the format allows)",
    async () => (await import("./packaging/cli.js")).packageCommand),
  command("unshare", false,
    "run a command inside strata's user namespace (rootless builds): as the image's root, with the ids layers hold (e.g. to remove a working volume by hand)",
    async () => (await import("./cli/unshare.js")).unshareCommand),
  command("worker", false,
    "serve Buck2's persistent-worker protocol on $WORKER_SOCKET: run the actions' commands in one long-lived process",
    async () => (await import("./cli/worker.js")).workerCommand(workerCommands())),
  command("deb-extract", false,
    "write the data tarball of a .deb (uncompressed) to OUT",
    async () => (await import("./debian/cli.js")).debExtractCommand),
  command("lint", false,
    "check BUCK and .bzl files for what evaluation cannot see (`mode = 644`, a decimal literal written for octal); exit 1 with `path:line:col: error:` lines",
    async () => (await import("./cli/lint.js")).lintCommand),
  command("deb-lock", false,
    "resolve a Debian package manifest against the configured mirror (host apt, private state) into a lock",
    async () => (await import("./debian/lock-cli.js")).debLockCommand),
];
