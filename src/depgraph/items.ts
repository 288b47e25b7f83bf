// Items on a phase's graph: their map keys, when two providers are the same, and who provides a key.
import type { ProvidedItem } from "../features/types.js";

/** A provider of a key: the feature (its index in the phase) and the item it provides there. */
export interface Provider {
  feature: number;
  item: ProvidedItem;
}


/** Map key of an item: the path itself for paths (no allocation on the hot path), `user:`/`group:` + name otherwise. */
export function keyOf(item: ProvidedItem): string {
  return item.kind === "user" ? `user:${item.name}` : item.kind === "group" ? `group:${item.name}` : item.path;
}

export function keyText(key: string): string {
  return key.startsWith("/") ? key : key.slice(key.indexOf(":") + 1);
}

export function sameItem(a: ProvidedItem, b: ProvidedItem): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case "path":
      return b.kind === "path" && a.path === b.path && a.fileType === b.fileType && a.mode === b.mode && a.owner === b.owner && (a.xattrs ?? "") === (b.xattrs ?? "");
    case "symlink":
      return b.kind === "symlink" && a.path === b.path && a.target === b.target;
    case "mount":
      return b.kind === "mount" && a.path === b.path && a.source === b.source;
    default:
      return true;
  }
}

/** Two providers of these need not be told apart: the same directory, or the same symlink. */
export function harmlessDuplicate(a: ProvidedItem, b: ProvidedItem): boolean {
  return sameItem(a, b) && (a.kind === "symlink" || (a.kind === "path" && a.fileType === "directory"));
}
