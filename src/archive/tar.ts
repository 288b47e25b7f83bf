// Walking a tar archive's members (any compression openDecompressed knows) and checking that none would leave
// the directory it is extracted into: `..` components, hard links out, and members under the archive's own
// symlinks that lead out. Absolute names are taken relative to that directory (as tar does).
import { pipeline } from "node:stream/promises";
import type { Header as TarHeader } from "tar-stream";
import { joinImage, symlinkDestination } from "../image/path.js";
import { openDecompressed } from "./decompress.js";

export type { TarHeader };

export interface ArchiveMember {
  /** path relative to the extraction root, normalised, "" for the root itself */
  rel: string;
  kind: "file" | "directory" | "symlink" | "link";
  mode: number;
  uid: number;
  gid: number;
  linkname?: string;
}

/** Calls `onEntry` for each member in archive order, with the member's content for regular files. */
export async function walkTar(source: string | Buffer, onEntry: (h: TarHeader, content: Buffer | null) => void): Promise<void> {
  // loaded on use: most layers have no tarball, and every `strata compile` process pays for its imports
  const { default: tar } = await import("tar-stream");
  const { stream, done } = openDecompressed(source);
  const extract = tar.extract();
  const reading = (async () => {
    for await (const entry of extract) {
      const chunks: Buffer[] = [];
      for await (const c of entry) chunks.push(c as Buffer);
      onEntry(entry.header, entry.header.type === "file" || entry.header.type === "contiguous-file" ? Buffer.concat(chunks) : null);
    }
  })();
  await Promise.all([pipeline(stream, extract), done, reading]);
}

/** "./a//b/" → "a/b"; "/etc/x" → "etc/x"; null when a component is "..". */
export function memberRel(name: string): string | null {
  const parts: string[] = [];
  for (const c of name.split("/")) {
    if (c === "" || c === ".") continue;
    if (c === "..") return null;
    parts.push(c);
  }
  return parts.join("/");
}

/** The member kinds strata extracts; null for devices, fifos and the like. */
export function memberKind(h: TarHeader): ArchiveMember["kind"] | null {
  switch (h.type ?? "file") {
    case "file":
    case "contiguous-file":
      return "file";
    case "directory":
      return "directory";
    case "symlink":
      return "symlink";
    case "link":
      return "link";
    default:
      return null;
  }
}

/** The problem with a member's name, or null: the one wording for a climbing name. */
export function climbingName(name: string, root: string): string {
  return `member "${name}" climbs out of ${root} with ".."`;
}

/**
 * Checks every member stays under the root (named `root` in messages) when followed through the archive's own
 * symlinks, lexically: its parent directory, a directory member's own path (a directory over a symlink would
 * change the link's target), a hard link's target directory. Returns the problems found (all of them).
 */
export function escapes(members: ArchiveMember[], root: string): string[] {
  const links = new Map<string, string>();
  const problems: string[] = [];
  const base = "/x";
  const resolveDir = (rel: string): string | null => {
    let cur = base;
    let hops = 0;
    const todo = rel === "" ? [] : rel.split("/");
    while (todo.length > 0) {
      const next = joinImage(cur, todo.shift()!);
      const t = links.get(next);
      if (t === undefined) {
        cur = next;
        continue;
      }
      if (++hops > 40) return null;
      const dest = symlinkDestination(next, t);
      if (dest === null || (dest !== base && !dest.startsWith(base + "/"))) return null;
      todo.unshift(...(dest === base ? [] : dest.slice(base.length + 1).split("/")));
      cur = base;
    }
    return cur;
  };
  for (const m of members) {
    if (m.rel === "") continue;
    const slash = m.rel.lastIndexOf("/");
    const parentRel = slash < 0 ? "" : m.rel.slice(0, slash);
    if (resolveDir(parentRel) === null) problems.push(`member "${m.rel}" lies under a symlink that leads outside ${root}`);
    if (m.kind === "directory" && resolveDir(m.rel) === null) problems.push(`directory member "${m.rel}" lies over a symlink that leads outside ${root}`);
    const target = m.kind === "link" && m.linkname !== undefined ? memberRel(m.linkname) : null;
    const targetParent = target === null ? null : target.includes("/") ? target.slice(0, target.lastIndexOf("/")) : "";
    if (m.kind === "link" && (targetParent === null || resolveDir(targetParent) === null)) problems.push(`hard link "${m.rel}" -> "${m.linkname}" leads outside ${root}`);
    if (m.kind === "symlink") links.set(joinImage(base, m.rel), m.linkname ?? "");
  }
  return problems;
}

/** The one wording of archive errors, as the message/expected/found of an error detail. */
export const archiveErrors = {
  unreadable: (what: string, cause: string) => ({ message: `cannot read the archive "${what}": ${cause}`, expected: "a readable tar archive", found: "unreadable" }),
  unsafe: (what: string, root: string, problems: string[]) => ({
    message: `unsafe archive "${what}": ${problems.join("; ")}`,
    expected: `members that stay inside ${root}`,
    found: `${problems.length} unsafe member(s)`,
  }),
};

/**
 * The members of a tar archive and the problems that make it unsafe to extract into a root (named `root` in
 * messages): climbing names, member kinds strata does not extract, and escapes through links.
 */
export async function listTar(source: string | Buffer, root: string): Promise<{ members: ArchiveMember[]; problems: string[] }> {
  const members: ArchiveMember[] = [];
  const problems: string[] = [];
  await walkTar(source, (h) => {
    const rel = memberRel(h.name);
    if (rel === null) return void problems.push(climbingName(h.name, root));
    const kind = memberKind(h);
    if (kind === null) return;
    members.push({ rel, kind, mode: (h.mode ?? 0o644) & 0o7777, uid: h.uid ?? 0, gid: h.gid ?? 0, linkname: h.linkname ?? undefined });
  });
  problems.push(...escapes(members, root));
  return { members, problems };
}
