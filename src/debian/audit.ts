// After dpkg ran: `dpkg --audit` must be clean and every package at its locked version (or gone, after a purge),
// and a purge must leave what the parent layers' feature.requires name. Anything else throws, so the phase
// publishes nothing. Also what the dpkg database says: the installed packages and the paths each one owns.
import { existsSync, readdirSync, readFileSync, readlinkSync } from "node:fs";
import { join } from "node:path";
import { StrataError, type ErrorDetail } from "../errors.js";
import { readUsersAndGroups } from "../facts/passwd.js";
import { lstatOrNull, resolveInImage } from "../image/resolve.js";
import { ImagePathError } from "../image/path.js";
import { parseParagraphs } from "./control.js";
import { dpkgInImage, type InstallContext } from "./dpkg-in-image.js";
import type { DebToInstall } from "./fetched.js";
import type { Needed } from "./needed.js";

/** Installed packages: name → {version, status abbreviation}. */
export function installedPackages(root: string): Map<string, { version: string; status: string }> {
  const path = join(root, "var/lib/dpkg/status");
  const out = new Map<string, { version: string; status: string }>();
  if (!existsSync(path)) return out;
  for (const p of parseParagraphs(readFileSync(path, "utf8"))) {
    out.set(p.get("Package")!, { version: p.get("Version") ?? "", status: p.get("Status") ?? "" });
  }
  return out;
}

export async function checkResult(ctx: InstallContext, want: DebToInstall[], gone: string[]): Promise<void> {
  const audit = await dpkgInImage(ctx, ["dpkg", "--audit"], undefined, "dpkg --audit");
  const errors: ErrorDetail[] = [];
  if (audit.trim() !== "") errors.push({ label: ctx.label, feature: ctx.feature, message: "dpkg --audit reports problems", expected: "no output", found: audit.trim().split("\n").slice(0, 10).join(" | ") });
  const installed = installedPackages(ctx.root);
  for (const d of want) {
    const got = installed.get(d.name);
    if (got === undefined || got.status !== "install ok installed" || got.version !== d.version) {
      errors.push({ label: ctx.label, feature: ctx.feature, message: `package ${d.name} is not installed at its locked version`, expected: `${d.version} (install ok installed)`, found: got === undefined ? "not installed" : `${got.version} (${got.status})` });
    }
  }
  for (const n of gone) {
    const got = installed.get(n);
    if (got !== undefined && got.status !== "purge ok not-installed") errors.push({ label: ctx.label, feature: ctx.feature, message: `package ${n} is still installed`, expected: "removed", found: got.status });
  }
  if (errors.length > 0) throw new StrataError(errors);
}

function pathInImage(root: string, path: string): boolean {
  try {
    return lstatOrNull(resolveInImage(root, path, false).hostPath) !== null;
  } catch (e) {
    if (e instanceof ImagePathError) return false;
    throw e;
  }
}

/** every requirement of the parent layers still holds after the purge, or one error listing what the removal broke */
export function checkNeeded(ctx: InstallContext, needed: Needed, owned: Map<string, string>, removed: string[]): void {
  if (needed.length === 0) return;
  const now = readUsersAndGroups(ctx.root);
  const users = new Set(now.users.map((u) => u.name));
  const groups = new Set(now.groups.map((g) => g.name));
  const broken: string[] = [];
  for (const n of needed) {
    const there = n.kind === "user" ? users.has(n.name) : n.kind === "group" ? groups.has(n.name) : pathInImage(ctx.root, n.name);
    if (there) continue;
    const by = n.kind === "path" && owned.has(n.name) ? `package ${owned.get(n.name)}` : `removing ${removed.join(", ")}`;
    broken.push(`${n.kind} ${n.name} (needed by ${n.by}: requires), gone with ${by}`);
  }
  if (broken.length === 0) return;
  throw new StrataError({
    kind: "unsatisfied",
    label: ctx.label,
    feature: ctx.feature,
    message: `removing ${removed.join(", ")} takes away what a parent layer's features need`,
    expected: "every path, user and group the parent layers' feature.requires name, still there after the removal",
    found: broken.join("; "),
    notes: ["keep the package, or drop the requirement from the parent layer"],
  });
}

/** The paths dpkg lists for `name` (its .list file), as image paths with the merged-/usr links resolved. */
export function packagePaths(root: string, name: string, arch?: string): string[] {
  const info = join(root, "var/lib/dpkg/info");
  const named =
    arch !== undefined ? [join(info, `${name}:${arch}.list`)] : existsSync(info) ? readdirSync(info).filter((f) => f.startsWith(`${name}:`) && f.endsWith(".list")).map((f) => join(info, f)) : [];
  const file = [join(info, `${name}.list`), ...named].find((f) => existsSync(f));
  if (file === undefined) return [];
  const merged = ["bin", "sbin", "lib", "lib32", "lib64", "libx32"].filter((l) => {
    try {
      return readlinkSync(join(root, l)) === `usr/${l}`;
    } catch {
      return false;
    }
  });
  const out: string[] = [];
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (line === "" || line === "/." || line === "/") continue;
    const top = line.split("/")[1]!;
    out.push(merged.includes(top) ? `/usr${line}` : line);
  }
  return out;
}
