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
