// Packages into an image that has dpkg, the way Debian does: `dpkg --install` in batches ordered by Pre-Depends (a
// package is unpacked only after what it pre-depends on is configured), and `dpkg --purge` for the apt removals.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { StrataError } from "../errors.js";
import { checkNeeded, checkResult, installedPackages, packagePaths } from "./audit.js";
import { DPKG, dpkgInImage, removeVolatile, stageDebs, writePolicyRcD, type InstallContext } from "./dpkg-in-image.js";
import { verifyDebs, type DebToInstall } from "./fetched.js";
import type { Needed } from "./needed.js";
import { aptTracer } from "./trace.js";

/** Batches for `dpkg --install`: each package after everything it pre-depends on (among `debs`). */
export function preDependsBatches(debs: DebToInstall[]): DebToInstall[][] {
  const byName = new Map(debs.map((d) => [d.name, d]));
  const level = new Map<string, number>();
  const visiting = new Set<string>();
  const levelOf = (d: DebToInstall): number => {
    const known = level.get(d.name);
    if (known !== undefined) return known;
    if (visiting.has(d.name)) return 0; // a Pre-Depends cycle: dpkg cannot order it either; keep one batch
    visiting.add(d.name);
    let l = 0;
    for (const p of d.pre_depends) {
      const dep = byName.get(p);
      if (dep !== undefined) l = Math.max(l, levelOf(dep) + 1);
    }
    visiting.delete(d.name);
    level.set(d.name, l);
    return l;
  };
  const batches: DebToInstall[][] = [];
  for (const d of [...debs].sort((a, b) => a.name.localeCompare(b.name))) {
    const l = levelOf(d);
    (batches[l] ??= []).push(d);
  }
  return batches.filter((b) => b !== undefined && b.length > 0);
}

/** Packages into an image that has dpkg: `dpkg --install` in Pre-Depends batches. */
export async function installIntoImage(debs: DebToInstall[], ctx: InstallContext): Promise<void> {
  const trace = aptTracer();
  await verifyDebs(debs, ctx);
  trace("verify sha256");
  if (!existsSync(join(ctx.root, "var/lib/dpkg/status"))) {
    throw new StrataError({ label: ctx.label, feature: ctx.feature, message: "the parent layer has no dpkg database", expected: "a parent built with feature.apt_install (or no parent, to bootstrap)", found: "no /var/lib/dpkg/status" });
  }
  writePolicyRcD(ctx.root);
  const staged = stageDebs(debs);
  try {
    for (const batch of preDependsBatches(debs)) {
      await dpkgInImage(ctx, [...DPKG, "--install", ...batch.map(staged.file)], staged.dir, "dpkg --install");
      trace(`dpkg --install (${batch.map((d) => d.name).join(" ")})`);
    }
  } finally {
    staged.done();
  }
  await checkResult(ctx, debs, []);
  trace("audit");
  removeVolatile(ctx.root);
}

/** `dpkg --purge` of installed packages; what `needed` names (the parent layers' feature.requires) must still be there after. */
export async function removeFromImage(names: string[], ctx: InstallContext, mustExist: boolean, needed: Needed = []): Promise<void> {
  const installed = installedPackages(ctx.root);
  const present = names.filter((n) => installed.get(n)?.status === "install ok installed");
  const absent = names.filter((n) => !present.includes(n));
  if (mustExist && absent.length > 0) {
    throw new StrataError({ label: ctx.label, feature: ctx.feature, message: `package${absent.length > 1 ? "s" : ""} ${absent.join(", ")} ${absent.length > 1 ? "are" : "is"} not installed`, expected: "installed packages (apt_remove_if_exists skips missing ones)", found: "not installed" });
  }
  if (present.length === 0) return;
  const owned = new Map<string, string>();
  for (const n of present) for (const p of packagePaths(ctx.root, n)) owned.set(p, n);
  writePolicyRcD(ctx.root);
  await dpkgInImage(ctx, [...DPKG, "--purge", ...present], undefined, "dpkg --purge");
  await checkResult(ctx, [], present);
  checkNeeded(ctx, needed, owned, present);
  removeVolatile(ctx.root);
}
