// Words for items, facts and validators in depgraph messages.
import { formatMode } from "../image/mode.js";
import type { PathFact, Validator } from "../types.js";
import type { ProvidedItem } from "../features/types.js";

export function validatorText(v: Validator): string {
  switch (v.kind) {
    case "exists":
      return "exists";
    case "file-type":
      return `a ${v.fileType}`;
    case "executable":
      return "an executable file";
    case "all":
      return v.of.map(validatorText).join(" and ");
    case "any":
      return v.of.map(validatorText).join(" or ");
  }
}

export function itemText(i: ProvidedItem): string {
  switch (i.kind) {
    case "path":
      return `${i.fileType} ${formatMode(i.mode)}${i.owner ? ` owned by ${i.owner}` : ""}${i.xattrs ? ` with xattrs ${i.xattrs}` : ""}`;
    case "symlink":
      return `symlink -> "${i.target}"`;
    case "mount":
      return `mount of ${i.source}`;
    case "user":
      return `user "${i.name}"`;
    case "group":
      return `group "${i.name}"`;
  }
}

export function factText(f: PathFact): string {
  const what = f.type === "symlink" ? `symlink -> "${f.target}"` : `${f.type} ${formatMode(f.mode)} owned by ${f.uid}:${f.gid}`;
  return `${what}${f.xattrs ? ` with xattrs ${f.xattrs}` : ""}${f.origin ? `, from ${f.origin}` : ""}`;
}

/** A `feature.<type>(...)` call as the user writes it in Starlark, keyword arguments in the order given. */
export function starlarkCall(type: string, args: Record<string, string | number | string[]>): string {
  const value = (v: string | number | string[]): string => (Array.isArray(v) ? `[${v.map((x) => JSON.stringify(x)).join(", ")}]` : typeof v === "number" ? String(v) : JSON.stringify(v));
  return `feature.${type}(${Object.entries(args).map(([k, v]) => `${k} = ${value(v)}`).join(", ")})`;
}

/** Wanted: a directory, an executable, a file, or anything (a requirement's validator, the first that says). */
function wanted(v: Validator): "directory" | "executable" | "file" | "symlink" | "any" {
  if (v.kind === "file-type") return v.fileType === "directory" ? "directory" : v.fileType === "symlink" ? "symlink" : "file";
  if (v.kind === "executable") return "executable";
  if (v.kind === "all") return v.of.map(wanted).find((w) => w !== "any") ?? "any";
  return "any";
}

/** The Starlark that provides a missing requirement in the same layer. */
export function missingFix(kind: string, what: string, v: Validator): string {
  const layer = "in the same layer, or a parent_layer that has it";
  if (kind === "user") return `${starlarkCall("user_add", { username: what, primary_group: what, home_dir: "/nonexistent" })} ${layer}`;
  if (kind === "group") return `${starlarkCall("group_add", { groupname: what })} ${layer}`;
  switch (wanted(v)) {
    case "directory":
      return `${starlarkCall("ensure_dirs_exist", { dirs: what })} ${layer}`;
    case "executable":
      return `${starlarkCall("install", { src: "...", dst: what, mode: "a+rx" })} ${layer}`;
    case "symlink":
      return `${starlarkCall("ensure_file_symlink", { link: what, target: "..." })} ${layer}`;
    default:
      return `${starlarkCall("install", { src: "...", dst: what })} (or feature.install_text) ${layer}`;
  }
}
