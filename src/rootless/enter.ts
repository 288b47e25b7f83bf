// Re-runs this strata command inside a new user and mount namespace where the image's ids are real: uid/gid 0
// is the user (so what strata writes outside the working volume, such as buck-out and packages, belongs to them),
// and ids 1..65536 are the user's subordinate range (podman's layout). newuidmap/newgidmap (setuid) write the
// maps once `unshare` has made the namespace and while the child waits on a pipe; it then execs Node again.
// This process stays as the child's parent: it forwards signals, and its exit code is the child's.
import { spawn, execFile } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { StrataError } from "../errors.js";
import { IMAGE_IDS } from "./subids.js";
import { rootlessPlan, userNamespaceBlockers, userNamespacesDisabled, type RootlessPlan } from "./preflight.js";

/** set in the child so a namespace that somehow looks initial is never entered again */
export const ENTERED_ENV = "STRATA_USERNS_ENTERED";

const WAIT_FOR_MAPS = 'printf x >&4; IFS= read -r go <&3; exec 3<&- 4>&-; [ "$go" = go ] || exit 125; exec "$@"';

function runMap(tool: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(tool, args, { encoding: "utf8" }, (err, _out, stderr) => resolve(err === null ? undefined : (stderr.trim() || err.message)));
  });
}

export function mapArgs(pid: number, own: number, start: number): string[] {
  return [String(pid), "0", String(own), "1", "1", String(start), String(IMAGE_IDS)];
}

async function writeMaps(pid: number, plan: RootlessPlan): Promise<void> {
  const uidErr = await runMap(plan.newuidmap, mapArgs(pid, plan.uid, plan.subuid.start));
  const gidErr = uidErr ?? (await runMap(plan.newgidmap, mapArgs(pid, plan.gid, plan.subgid.start)));
  if (uidErr !== undefined || gidErr !== undefined) {
    throw new StrataError({
      label: "strata (rootless)",
      message: `${uidErr !== undefined ? "newuidmap" : "newgidmap"} could not map the image's ids onto the subordinate range`,
      expected: `uid ${plan.uid} and ${plan.subuid.start}..${plan.subuid.start + IMAGE_IDS - 1} (gid ${plan.gid} and ${plan.subgid.start}..${plan.subgid.start + IMAGE_IDS - 1}) mapped`,
      found: (uidErr ?? gidErr)!,
      notes: ["newuidmap and newgidmap must be setuid root (package uidmap), and the ranges in /etc/subuid and /etc/subgid must be the user's"],
    });
  }
}

/** Runs `argv` (node and its arguments) in the namespace; resolves with the exit code this process should end with. */
export async function runInRootlessNamespace(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const plan = rootlessPlan();
  const child = spawn("unshare", ["--user", "--mount", "--propagation", "private", "--", "/bin/sh", "-c", WAIT_FOR_MAPS, "strata-userns", ...argv], {
    stdio: ["inherit", "inherit", "inherit", "pipe", "pipe"],
    env: { ...env, [ENTERED_ENV]: "1" },
  });
  const go = child.stdio[3] as Writable;
  const ready = child.stdio[4] as Readable;
  go.on("error", () => {});
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("close", (code, signal) => resolve({ code, signal })));
  const started = await new Promise<boolean>((resolve, reject) => {
    child.on("error", reject);
    ready.once("data", () => resolve(true));
    ready.once("end", () => resolve(false));
  });
  if (!started) {
    const { code } = await exited;
    const blockers = userNamespaceBlockers();
    if (blockers.length > 0) throw userNamespacesDisabled(blockers);
    throw new StrataError({
      label: "strata (rootless)",
      message: "could not create a user namespace (unshare --user --mount failed; its message is above)",
      expected: "unprivileged user namespaces allowed (user.max_user_namespaces > 0, and where they exist kernel.unprivileged_userns_clone = 1, kernel.apparmor_restrict_unprivileged_userns = 0)",
      found: `unshare exited ${code}`,
      notes: ["inside a container, the container must allow nested user namespaces (or run strata as the container's root)"],
    });
  }
  try {
    await writeMaps(child.pid!, plan);
  } catch (e) {
    child.kill("SIGKILL");
    await exited;
    throw e;
  }
  go.end("go\n");
  const forward = (s: NodeJS.Signals): void => void child.kill(s);
  const signals: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];
  for (const s of signals) process.on(s, forward);
  // a parent that dies without stopping us (Buck2 killing a worker's parent) stops the namespace's process too
  const parent = process.ppid;
  const watch = setInterval(() => process.ppid !== parent && child.kill("SIGTERM"), 1000);
  watch.unref();
  const { code, signal } = await exited;
  clearInterval(watch);
  for (const s of signals) process.off(s, forward);
  if (signal !== null) {
    process.kill(process.pid, signal);
    return 128;
  }
  return code ?? 1;
}
