// Whether one btrfs subvolume was made from another: its `Parent UUID` chain, as the kernel recorded it at each
// snapshot, reaches the other's UUID. `btrfs send -p PARENT CHILD` lists what CHILD changed only when CHILD is such
// a descendant of PARENT; against a tree of the same content but another lineage (a layer one driver built and
// another found by key) it lists every inode, so a diff must not trust a lineage that was not checked.
import { run } from "./exec.js";

/** a subvolume's UUID and its parent's (`-` when made empty or copied): from `btrfs subvolume show` */
async function uuids(path: string): Promise<{ uuid: string; parent: string } | undefined> {
  const r = await run("btrfs", ["subvolume", "show", path]);
  if (r.exitCode !== 0) return undefined;
  const field = (name: string): string | undefined => new RegExp(`^\\s*${name}:\\s*(\\S+)\\s*$`, "m").exec(r.stdout)?.[1];
  const uuid = field("UUID");
  const parent = field("Parent UUID");
  return uuid === undefined || parent === undefined || uuid === "-" ? undefined : { uuid, parent };
}

/** every subvolume's parent UUID by its own UUID, on the filesystem that holds `path` */
async function parentsByUuid(path: string): Promise<Map<string, string>> {
  const r = await run("btrfs", ["subvolume", "list", "-u", "-q", path]);
  const map = new Map<string, string>();
  if (r.exitCode !== 0) return map;
  for (const line of r.stdout.split("\n")) {
    const m = /\bparent_uuid (\S+)\s+uuid (\S+)/.exec(line);
    if (m) map.set(m[2]!, m[1]!);
  }
  return map;
}

/**
 * true when the subvolume `child` was snapshotted from `ancestor`, directly or through snapshots of snapshots that
 * still exist; false when either is not a subvolume, when the chain leads elsewhere or is broken by a deleted link
 */
export async function descendsFrom(child: string, ancestor: string): Promise<boolean> {
  const [c, a] = await Promise.all([uuids(child), uuids(ancestor)]);
  if (c === undefined || a === undefined || c.uuid === a.uuid) return false;
  if (c.parent === a.uuid) return true;
  if (c.parent === "-") return false;
  const parents = await parentsByUuid(child);
  const seen = new Set<string>([c.uuid]);
  for (let u = c.parent; u !== "-" && !seen.has(u); u = parents.get(u) ?? "-") {
    if (u === a.uuid) return true;
    seen.add(u);
  }
  return false;
}
