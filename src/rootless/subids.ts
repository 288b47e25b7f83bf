// The user's subordinate id ranges (/etc/subuid, /etc/subgid; shadow-utils' format `user:start:count`, where
// user is a name or a numeric uid), and the line an admin adds when there is none.
import { readFileSync } from "node:fs";

/** image ids 1..IMAGE_IDS map onto the subordinate range (0 is the user itself), so 65534 (nobody) fits */
export const IMAGE_IDS = 65536;

export interface SubRange {
  start: number;
  count: number;
}

export interface SubIdFile {
  path: string;
  /** the file's text, or null when it does not exist */
  text: string | null;
}

export function readSubIdFile(path: string): SubIdFile {
  try {
    return { path, text: readFileSync(path, "utf8") };
  } catch {
    return { path, text: null };
  }
}

function entries(text: string): { owner: string; start: number; count: number }[] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"))
    .map((l) => l.split(":"))
    .filter((f) => f.length === 3 && /^\d+$/.test(f[1]!) && /^\d+$/.test(f[2]!))
    .map((f) => ({ owner: f[0]!, start: Number(f[1]), count: Number(f[2]) }));
}

/** the first range of `user` (by name or uid) large enough for the image ids, or undefined */
export function findRange(file: SubIdFile, user: string, id: number): SubRange | undefined {
  if (file.text === null) return undefined;
  const mine = entries(file.text).filter((e) => e.owner === user || e.owner === String(id));
  const r = mine.find((e) => e.count >= IMAGE_IDS);
  return r === undefined ? undefined : { start: r.start, count: r.count };
}

/** a start no entry of the files overlaps: after their highest range, at least 100000 (useradd's default) */
export function freeStart(files: SubIdFile[]): number {
  const ends = files.flatMap((f) => (f.text === null ? [] : entries(f.text).map((e) => e.start + e.count)));
  const s = Math.max(100000, ...ends);
  return 100000 + Math.ceil((s - 100000) / IMAGE_IDS) * IMAGE_IDS;
}
