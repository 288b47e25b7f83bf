// An image from nothing (a layer without parent), as mmdebstrap does: merged-/usr links, the essential packages'
// files extracted from their data.tar, an empty dpkg database, then `dpkg --install --force-depends` of that set
// inside the image, which runs every maintainer script properly; the other packages follow in Pre-Depends batches.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { basename, dirname, join } from "node:path";
import type { ScriptRunner } from "../archive/index.js";
import { runInAppliance } from "../isolation/appliance.js";
import { requestEnv } from "../request-context.js";
import { checkResult } from "./audit.js";
import { DPKG, dpkgInImage, removeVolatile, stageDebs, writePolicyRcD, type InstallContext } from "./dpkg-in-image.js";
import { verifyDebs, type DebToInstall } from "./fetched.js";
import { preDependsBatches } from "./dpkg-install.js";
import { aptTracer } from "./trace.js";
import { unpackDebs } from "./unpack.js";

/** The debs `names` need, within `debs`, through Depends and Pre-Depends. */
function closureWithin(debs: DebToInstall[], names: string[]): DebToInstall[] {
  const byName = new Map(debs.map((d) => [d.name, d]));
  const seen = new Set<string>();
  const todo = [...names];
  while (todo.length > 0) {
    const n = todo.pop()!;
    if (seen.has(n) || !byName.has(n)) continue;
    seen.add(n);
    const d = byName.get(n)!;
    todo.push(...d.pre_depends, ...d.depends);
  }
  return debs.filter((d) => seen.has(d.name));
}

/** merged-/usr: /bin, /sbin, /lib (and /lib64 on 64-bit x86) are links into /usr, as Debian 12 installs them. */
function mergedUsr(root: string, arch: string): string[] {
  const links = ["bin", "sbin", "lib", ...(arch === "amd64" ? ["lib64"] : [])];
  for (const l of links) {
    mkdirSync(join(root, "usr", l), { recursive: true, mode: 0o755 });
    if (!existsSync(join(root, l))) symlinkSync(`usr/${l}`, join(root, l));
  }
  return links;
}

/**
 * Where the bootstrap's extraction tools (dpkg-deb, tar, the decompressors) come from: the flavor's build appliance,
 * or, for a flavor without one (the appliance's own flavor), the host's.
 */
function toolRunner(ctx: InstallContext): ScriptRunner {
  if (ctx.appliance !== undefined) {
    const appliance = ctx.appliance;
    return (argv, input, paths) => runInAppliance({ appliance, argv, ro: paths.ro, rw: paths.rw, label: ctx.label }, input);
  }
  return (argv, input) =>
    new Promise((resolve, reject) => {
      const child = spawn(argv[0]!, argv.slice(1), { env: { PATH: requestEnv()["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin", LC_ALL: "C", TZ: "UTC" }, stdio: ["pipe", "pipe", "pipe"] });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      child.stdin.on("error", () => {});
      child.stdin.end(input);
      child.on("error", reject);
      child.on("close", (code) => resolve({ exitCode: code ?? 128, stdout, stderr }));
    });
}

/** An image from nothing: the essential set (mmdebstrap's way), then the other packages in Pre-Depends batches. */
export async function bootstrapImage(debs: DebToInstall[], ctx: InstallContext): Promise<void> {
  const trace = aptTracer();
  await verifyDebs(debs, ctx);
  trace("verify sha256");
  const arch = debs.find((d) => d.architecture !== "all")?.architecture ?? "amd64";
  const essential = closureWithin(debs, debs.filter((d) => d.essential).map((d) => d.name));
  const rest = debs.filter((d) => !essential.includes(d));
  const merged = mergedUsr(ctx.root, arch);
  const staged = stageDebs(debs);
  try {
    await unpackDebs(
      essential.map((d) => ({ name: d.name, version: d.version, deb: staged.host(d) })),
      { root: ctx.root, scratch: join(dirname(ctx.root), `.${basename(ctx.root)}.unpack-${process.pid}`), mergedLinks: merged, jobs: availableParallelism(), label: ctx.label, feature: ctx.feature, run: toolRunner(ctx), trace },
    );
  } catch (e) {
    staged.done();
    throw e;
  }
  const dpkgDir = join(ctx.root, "var/lib/dpkg");
  for (const sub of ["info", "updates", "triggers", "alternatives", "parts"]) mkdirSync(join(dpkgDir, sub), { recursive: true });
  writeFileSync(join(dpkgDir, "status"), "");
  writeFileSync(join(dpkgDir, "available"), "");
  writeFileSync(join(dpkgDir, "arch"), `${arch}\n`);
  writeFileSync(join(dpkgDir, "cmethopt"), "apt apt\n");
  writePolicyRcD(ctx.root);
  try {
    await dpkgInImage(ctx, [...DPKG, "--install", "--force-depends", ...essential.map(staged.file)], staged.dir, "installing the essential packages (dpkg --install --force-depends)");
    trace("dpkg --install essential");
    for (const batch of preDependsBatches(rest)) await dpkgInImage(ctx, [...DPKG, "--install", ...batch.map(staged.file)], staged.dir, "dpkg --install");
    trace("dpkg --install rest");
  } finally {
    staged.done();
  }
  writePolicyRcD(ctx.root);
  await checkResult(ctx, debs, []);
  trace("audit");
  removeVolatile(ctx.root);
}
