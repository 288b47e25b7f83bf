// A rootless build maps only the image ids 0..65536 (src/rootless/): a command cannot run as an id outside them.
import { StrataError } from "../errors.js";
import { readIdMap, type IdRange } from "../storage/userns.js";
import type { Identity } from "./identity.js";

const mapped = (map: IdRange[], id: number): boolean => map.some((r) => id >= r.inside && id - r.inside < r.count);

export function checkMapped(identity: Identity, label: string): void {
  let uids: IdRange[];
  let gids: IdRange[];
  try {
    uids = readIdMap("uid");
    gids = readIdMap("gid");
  } catch {
    return;
  }
  const bad = [
    ...(mapped(uids, identity.uid) ? [] : [`uid ${identity.uid}`]),
    ...identity.groups.filter((g) => !mapped(gids, g)).map((g) => `gid ${g}`),
  ];
  if (bad.length === 0) return;
  const top = (m: IdRange[]): number => Math.max(...m.map((r) => r.inside + r.count - 1));
  throw new StrataError({
    label,
    message: `user ${identity.name} has ids this rootless build does not map`,
    expected: `uids 0..${top(uids)} and gids 0..${top(gids)} (the user's subordinate range)`,
    found: bad.join(", "),
    notes: ["give the image's user and groups ids up to 65536, or build as root"],
  });
}
