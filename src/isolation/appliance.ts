// Running a build tool from the build appliance (antlir2's word): a Debian layer that holds dpkg-deb, tar, the
// compressors and the filesystem packers at the lock's versions (debian/BUCK :build-appliance). The tool runs with
// the appliance's /usr and /etc as its own (read-only), so what it writes does not depend on the host's tool
// versions; the host paths it works on (an image root being built, a layer being packaged, an output directory)
// are bound at their own paths, read-only or writable, so the caller's arguments need no rewriting.
//
// bubblewrap runs as the host's root without a user namespace (the tools must read every file of a layer and write
// owners as they are), in fresh mount, pid, ipc, uts, cgroup and network namespaces, with a clean environment and
// only the capabilities that reading and writing file trees needs.
import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { existsSync, lstatSync, readlinkSync, realpathSync } from "node:fs";
import { StrataError } from "../errors.js";
import { resolveLayerOutput } from "../storage/layers.js";
import { signalExitCode } from "./run.js";

/** the appliance's directories a tool sees; everything else of it stays hidden */
const APPLIANCE_DIRS = ["usr", "etc"];
/** merged-/usr links, recreated as the appliance has them */
const APPLIANCE_LINKS = ["bin", "sbin", "lib", "lib32", "lib64", "libx32"];
/** image paths the sandbox itself owns: a host path under one of them cannot be shown at its own path */
const RESERVED = ["/usr", "/etc", "/proc", "/dev", ...APPLIANCE_LINKS.map((l) => `/${l}`)];

const CAPABILITIES = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_MKNOD", "CAP_SETFCAP"];

export const APPLIANCE_PATH = "/usr/sbin:/usr/bin:/sbin:/bin";

export interface ApplianceCall {
  /** host path of the appliance's tree (the read-only subvolume) */
  appliance: string;
  argv: string[];
  env?: Record<string, string>;
  /** working directory (a host path that is bound, or `/`) */
  cwd?: string;
  /** host paths shown read-only at their own path */
  ro?: string[];
  /** host paths shown writable at their own path */
  rw?: string[];
  label?: string;
}

/** The appliance tree behind a layer output (the OUT symlink a rule passes), or a tree path as it is. */
export function applianceTree(outOrTree: string, label: string): string {
  const st = lstatSync(outOrTree, { throwIfNoEntry: false });
  if (st?.isSymbolicLink() === true) return resolveLayerOutput(outOrTree, { label, role: "build appliance" }).tree;
  if (st?.isDirectory() !== true) {
    throw new StrataError({ kind: "parent", label, message: `the build appliance ${outOrTree} does not exist`, expected: "the output of the flavor's build_appliance layer", found: "no such directory" });
  }
  return realpathSync(outOrTree);
}

function reserved(path: string): string | undefined {
  return RESERVED.find((r) => path === r || path.startsWith(r + "/"));
}

/** bubblewrap's arguments (everything before the command); pure apart from reading the appliance's top level */
export function applianceBwrapArgs(c: ApplianceCall): string[] {
  const label = c.label ?? "strata";
  const a = ["--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup", "--hostname", "strata-appliance", "--die-with-parent", "--new-session"];
  for (const d of APPLIANCE_DIRS) if (existsSync(`${c.appliance}/${d}`)) a.push("--ro-bind", `${c.appliance}/${d}`, `/${d}`);
  for (const l of APPLIANCE_LINKS) {
    const st = lstatSync(`${c.appliance}/${l}`, { throwIfNoEntry: false });
    if (st?.isSymbolicLink() === true) a.push("--symlink", readlinkSync(`${c.appliance}/${l}`), `/${l}`);
    else if (st?.isDirectory() === true) a.push("--ro-bind", `${c.appliance}/${l}`, `/${l}`);
  }
  a.push("--proc", "/proc", "--dev", "/dev", "--perms", "1777", "--tmpfs", "/tmp");
  // parents before children, so a bind inside another bind lands on it
  const binds = [...(c.ro ?? []).map((p) => ({ p, rw: false })), ...(c.rw ?? []).map((p) => ({ p, rw: true }))]
    .map((b) => ({ ...b, p: realpathSync(b.p) }))
    .sort((x, y) => x.p.length - y.p.length);
  for (const b of binds) {
    const r = reserved(b.p);
    if (r !== undefined || b.p === "/") {
      throw new StrataError({
        label,
        message: `the build appliance cannot show the host path ${b.p} at its own path`,
        expected: `host paths outside ${RESERVED.join(", ")} (the appliance's own)`,
        found: b.p,
        notes: ["keep the working volume and the outputs out of those directories"],
      });
    }
    a.push(b.rw ? "--bind" : "--ro-bind", b.p, b.p);
  }
  a.push("--cap-drop", "ALL");
  for (const cap of CAPABILITIES) a.push("--cap-add", cap);
  a.push("--clearenv");
  for (const [k, v] of Object.entries({ PATH: APPLIANCE_PATH, LC_ALL: "C", TZ: "UTC", ...c.env })) a.push("--setenv", k, v);
  a.push("--chdir", c.cwd !== undefined ? realpathSync(c.cwd) : "/");
  return a;
}

/** Starts `c.argv` in the appliance; stdio as for child_process.spawn (file descriptors pass through bwrap). */
export function spawnInAppliance(c: ApplianceCall, stdio: StdioOptions): ChildProcess {
  if (c.argv.length === 0) throw new StrataError({ label: c.label ?? "strata", message: "no command to run in the build appliance" });
  return spawn("bwrap", [...applianceBwrapArgs(c), "--", ...c.argv], { cwd: "/", env: { PATH: APPLIANCE_PATH }, stdio });
}

export interface ApplianceResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs `c.argv` in the appliance to completion, collecting its output; `input` is its standard input. */
export function runInAppliance(c: ApplianceCall, input = ""): Promise<ApplianceResult> {
  const child = spawnInAppliance(c, ["pipe", "pipe", "pipe"]);
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdin!.on("error", () => {});
  child.stdin!.end(input);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ exitCode: code ?? (signal !== null ? signalExitCode(signal) : 128), stdout, stderr }));
  });
}
