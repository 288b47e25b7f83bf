// Image-absolute path handling: every path a feature names goes through `normalizeImagePath` first.
// `..` is refused outright (never resolved), so a feature can never name a path outside the image by spelling.

export class ImagePathError extends Error {}

/** `/a//b/./c/` → `/a/b/c`. Throws ImagePathError for relative paths, `..` components and NUL bytes. */
const ALREADY_NORMAL = /^\/$|^(?:\/(?!\.\.?(?:\/|$))[^/\0]+)+$/;

export function normalizeImagePath(p: string): string {
  if (ALREADY_NORMAL.test(p)) return p;
  if (!p.startsWith("/")) throw new ImagePathError(`"${p}" is not an absolute path`);
  if (p.includes("\0")) throw new ImagePathError(`"${p}" contains a NUL byte`);
  const parts: string[] = [];
  for (const c of p.split("/")) {
    if (c === "" || c === ".") continue;
    if (c === "..") throw new ImagePathError(`"${p}" contains "..": image paths must not climb`);
    parts.push(c);
  }
  return "/" + parts.join("/");
}

/** Checks without throwing, for schema refinements. */
export function isValidImagePath(p: string): boolean {
  try {
    normalizeImagePath(p);
    return true;
  } catch {
    return false;
  }
}

/** Components of a normalised path: `/a/b` → ["a", "b"], `/` → []. */
export function components(p: string): string[] {
  return p === "/" ? [] : p.slice(1).split("/");
}

export function parentOf(p: string): string {
  const i = p.lastIndexOf("/");
  return i <= 0 ? "/" : p.slice(0, i);
}

export function baseName(p: string): string {
  return p.slice(p.lastIndexOf("/") + 1);
}

/** Joins a normalised image path and a relative path of plain components. */
export function joinImage(dir: string, rel: string): string {
  if (rel === "") return dir;
  return dir === "/" ? `/${rel}` : `${dir}/${rel}`;
}

/** `/a/b` → `/a/b/`, `/` → `/`: the prefix every path strictly under a directory starts with */
export function dirPrefix(dir: string): string {
  return dir === "/" ? "/" : `${dir}/`;
}

/** Every ancestor of `p`, outermost first, excluding `/` and `p`: `/a/b/c` → [`/a`, `/a/b`]. */
export function ancestors(p: string): string[] {
  const out: string[] = [];
  let i = p.indexOf("/", 1);
  while (i > 0) {
    out.push(p.slice(0, i));
    i = p.indexOf("/", i + 1);
  }
  return out;
}

/**
 * Where a symlink at `linkPath` with text `target` points, as an image path, with `..` applied lexically.
 * Absolute targets are relative to the image root. Returns null when the target climbs above the root.
 */
export function symlinkDestination(linkPath: string, target: string): string | null {
  const base = target.startsWith("/") ? [] : components(parentOf(linkPath));
  const out = [...base];
  for (const c of target.split("/")) {
    if (c === "" || c === ".") continue;
    if (c === "..") {
      if (out.length === 0) return null;
      out.pop();
    } else out.push(c);
  }
  return "/" + out.join("/");
}
