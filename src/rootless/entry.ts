// The runner's first step: enter the rootless namespace when this process should (mode.ts), by running the same
// command again inside it; returns the arguments with `--rootless=` taken out when this process is to go on.
// The setting: `--rootless=V`, else STRATA_ROOTLESS, else the project's `[strata] rootless`, else auto.
import { StrataError } from "../errors.js";
import { rootlessDecision, parseRootlessSetting } from "./mode.js";
import { projectRootlessSetting } from "./config.js";
import { ENTERED_ENV, runInRootlessNamespace } from "./enter.js";

const NO_NAMESPACE = new Set(["--help", "-h", "--version", "help"]);

/** An ordinary user's PATH usually lacks the sbin directories, where Debian puts mkfs.btrfs, mke2fs, debugfs and
 * losetup; a user's strata looks there too, as root's would. */
function withSbin(path: string | undefined): string {
  const dirs = (path ?? "").split(":").filter((d) => d !== "");
  for (const d of ["/usr/local/sbin", "/usr/sbin", "/sbin"]) if (!dirs.includes(d)) dirs.push(d);
  return dirs.join(":");
}

export async function enterRootlessIfNeeded(args: string[]): Promise<string[]> {
  process.env.PATH = withSbin(process.env.PATH);
  const flag = args.find((a) => a.startsWith("--rootless="));
  const rest = args.filter((a) => a !== flag);
  const command = rest.find((a) => !a.startsWith("-"));
  if (command === undefined || rest.some((a) => NO_NAMESPACE.has(a))) return rest;
  const config = flag === undefined && (process.env.STRATA_ROOTLESS ?? "") === "" ? projectRootlessSetting() : undefined;
  const setting =
    flag !== undefined
      ? parseRootlessSetting(flag.slice("--rootless=".length), "--rootless")
      : config !== undefined
        ? parseRootlessSetting(config.value, `[strata] rootless in ${config.file}`)
        : parseRootlessSetting(process.env.STRATA_ROOTLESS, "STRATA_ROOTLESS");
  if (rootlessDecision(setting) === "stay") return rest;
  if (process.env[ENTERED_ENV] === "1") {
    throw new StrataError({ label: "strata (rootless)", message: "the user namespace strata entered maps every id (it looks like the initial one)", expected: "a namespace with the user's subordinate range", found: "the initial namespace's map" });
  }
  // once per build: the local driver's command, or Buck2's worker (its log)
  if (command === "local" || command === "worker") {
    const [{ copyBackendNotice }, { resolveVolumeDir }] = await Promise.all([import("../storage/rootless.js"), import("../storage/volume.js")]);
    const notice = copyBackendNotice(resolveVolumeDir());
    if (notice !== undefined) process.stderr.write(notice);
  }
  const code = await runInRootlessNamespace([process.execPath, ...process.execArgv, ...process.argv.slice(1)]);
  process.exit(code);
}
