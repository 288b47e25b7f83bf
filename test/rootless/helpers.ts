// The rootless suites run as root (CI runs vitest as root) and act as an ordinary user: they create the user with a
// subordinate id range, give it a checkout of its own (this one's files, its own buck-out and strata-out) and run
// strata in it with runuser, as the user would. Nothing here fakes the namespace: strata enters a real one.
import { execa, type Result } from "execa";
import { execFileSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe } from "vitest";
import { asUser, type TestUser } from "../../bench/rootless-user.js";
import { repoRoot, strata } from "../runner/helpers.js";

export { ensureUser, ROOTLESS_USER, type TestUser } from "../../bench/rootless-user.js";

export const NOSUB_USER = "strata-rl-nosub";

const isRoot = process.getuid?.() === 0 && readFileSync("/proc/self/uid_map", "utf8").trim().split(/\s+/).join(" ") === "0 0 4294967295";

/** describe() for suites that create users: root of the initial namespace; under CI=true they never skip */
export const describeRootless = (name: string, fn: () => void): void => {
  if (isRoot || process.env.CI === "true") describe(name, fn);
  else describe.skip(`${name} (skipped: creating a test user needs root)`, fn);
};

/** where root's starlark-pyo3 lives, for a user whose python cannot import it (a pip install under /root) */
function starlarkDir(): string {
  return execFileSync(process.env.STRATA_PYTHON ?? "python3", ["-c", "import starlark, os; print(os.path.dirname(starlark.__file__))"], { encoding: "utf8" }).trim();
}

/**
 * A checkout of this repository for `owner` (root when undefined): the files git knows (committed or not), the
 * built runner (dist/), node_modules linked, .buckconfig.local copied; under a fresh directory of `base`.
 */
export function checkout(base: string, owner?: TestUser): { dir: string; env: Record<string, string> } {
  mkdirSync(base, { recursive: true });
  const dir = mkdtempSync(join(base, "strata-"));
  chmodSync(dir, 0o755);
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: repoRoot, maxBuffer: 1 << 26 });
  execFileSync("tar", ["-C", repoRoot, "--null", "-T", "-", "-cf", join(dir, ".files.tar")], { input: files });
  execFileSync("tar", ["-C", dir, "-xf", join(dir, ".files.tar")]);
  execFileSync("rm", [join(dir, ".files.tar")]);
  cpSync(join(repoRoot, "dist"), join(dir, "dist"), { recursive: true });
  if (existsSync(join(repoRoot, ".buckconfig.local"))) cpSync(join(repoRoot, ".buckconfig.local"), join(dir, ".buckconfig.local"));
  // linked where the owner can read this checkout's node_modules, else copied (a clone under /root)
  const share = owner === undefined || runAsSync(owner, "/", ["test", "-r", join(repoRoot, "node_modules", "vitest", "package.json")], {}) === 0;
  for (const nm of ["node_modules", "packages/buck2-local/node_modules"]) {
    if (!existsSync(join(repoRoot, nm))) continue;
    if (!share) {
      execFileSync("cp", ["-a", join(repoRoot, nm), join(dir, nm)]);
      continue;
    }
    // a directory of its own (vite writes node_modules/.vite-temp), each package linked
    mkdirSync(join(dir, nm));
    for (const e of readdirSync(join(repoRoot, nm))) if (!e.startsWith(".vite")) symlinkSync(join(repoRoot, nm, e), join(dir, nm, e));
  }
  const env: Record<string, string> = {};
  if (owner !== undefined) {
    const probe = runAsSync(owner, dir, ["python3", "-c", "import starlark"], {});
    if (probe !== 0) {
      cpSync(starlarkDir(), join(dir, ".pydeps", "starlark"), { recursive: true });
      env.PYTHONPATH = join(dir, ".pydeps");
    }
    execFileSync("chown", ["-R", `${owner.uid}:${owner.gid}`, dir]);
  }
  return { dir, env };
}

function runAsSync(user: TestUser, cwd: string, argv: string[], extra: Record<string, string>): number {
  try {
    const [cmd, args] = asUser(user, argv, extra);
    execFileSync(cmd, args, { cwd, stdio: "ignore" });
    return 0;
  } catch (e) {
    return (e as { status?: number }).status ?? 1;
  }
}

/** runs argv as `user` in `cwd` with a clean environment; never rejects */
export function runAs(user: TestUser, cwd: string, argv: string[], extra: Record<string, string> = {}, input?: string): Promise<Result> {
  const [cmd, args] = asUser(user, argv, extra);
  return execa(cmd, args, { cwd, reject: false, input });
}

/** `node bin/strata.mjs ...` as `user` in checkout `dir` */
export function strataAs(user: TestUser, co: { dir: string; env: Record<string, string> }, args: string[], extra: Record<string, string> = {}): Promise<Result> {
  return runAs(user, co.dir, [process.execPath, join(co.dir, "bin", "strata.mjs"), ...args], { ...co.env, ...extra });
}

/** `strata clean` in a checkout, as `user` or else as root (root's checkout has a loopback volume mounted under its
 * strata-out, which a plain rm cannot take), then the checkout goes */
export async function removeCheckout(co: { dir: string; env: Record<string, string> } | undefined, user?: TestUser): Promise<void> {
  if (co === undefined) return;
  if (user !== undefined) await strataAs(user, co, ["clean"]);
  else await strata(["clean"], { cwd: co.dir });
  rmSync(co.dir, { recursive: true, force: true });
}
