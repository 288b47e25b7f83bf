// `strata clean`: removes a working volume entirely, so that `rm -rf` of a checkout works afterwards. A loopback
// btrfs volume is unmounted first (its loop device goes with it); on a btrfs directory the layer trees are
// subvolumes, read-only once published, which plain `rm -rf` cannot remove, so they are deleted as subvolumes.
// Refused while a build, an image test or a shell still uses the volume.
import { existsSync, lstatSync, readFileSync, readdirSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { StrataError } from "../errors.js";
import { run } from "./exec.js";
import { isOnBtrfs, isRoot } from "./fstype.js";
import { BUILDING_FILE, THROWAWAY_DIR, THROWAWAY_OWNER_FILE, TREE_DIR } from "./layers.js";
import { tokenAlive } from "./liveness.js";
import { removeTree } from "./remove.js";

export interface CleanResult {
  dir: string;
  /** mount points unmounted, deepest first */
  unmounted: string[];
  /** false when there was nothing to remove */
  removed: boolean;
}

/** `\040` and friends in /proc/self/mountinfo */
function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** mount points at or under `dir`, deepest first */
export function mountsUnder(dir: string): string[] {
  const out: string[] = [];
  for (const line of readFileSync("/proc/self/mountinfo", "utf8").split("\n")) {
    const field = line.split(" ")[4];
    if (field === undefined) continue;
    const m = unescapeMount(field);
    if (m === dir || m.startsWith(`${dir}/`)) out.push(m);
  }
  return [...new Set(out)].sort((a, b) => b.length - a.length);
}

/** stores inside `dir`: the directory itself and a mounted loopback volume under it */
function stores(dir: string, mounts: string[]): string[] {
  return [dir, ...mounts];
}

function users(store: string): string[] {
  const busy: string[] = [];
  const check = (base: string, file: string, what: string): void => {
    if (!existsSync(base)) return;
    for (const name of readdirSync(base)) {
      let token: string;
      try {
        token = readFileSync(join(base, name, file), "utf8");
      } catch {
        continue;
      }
      if (tokenAlive(token)) busy.push(`${what} ${name} (pid ${token.trim().split(" ")[0]})`);
    }
  };
  check(join(store, "layers"), BUILDING_FILE, "a build of");
  check(join(store, THROWAWAY_DIR), THROWAWAY_OWNER_FILE, "an image test or shell in");
  return busy;
}

/**
 * layer and throwaway trees: subvolumes on btrfs, removed as such; then, elsewhere in the store, those of nested
 * working volumes (`repro/<tag>-<round>`) and any other subvolume (the first inode of a subvolume is 256)
 */
async function removeTrees(store: string): Promise<void> {
  const own = [join(store, "layers"), join(store, THROWAWAY_DIR)];
  for (const base of own) {
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base)) await removeTree(join(base, name, TREE_DIR));
  }
  for (const name of readdirSync(store)) {
    const path = join(store, name);
    if (own.includes(path)) continue;
    const st = lstatSync(path);
    if (!st.isDirectory()) continue;
    if (st.ino === 256) await removeTree(path);
    else await removeTrees(path);
  }
}

export async function cleanWorkingVolume(dir: string, label = "strata clean"): Promise<CleanResult> {
  if (!existsSync(dir)) return { dir, unmounted: [], removed: false };
  const mounts = mountsUnder(dir);
  if (mounts.length > 0 && !isRoot()) {
    throw new StrataError({
      label,
      message: `strata needs root to unmount the working volume ${dir}`,
      expected: "uid 0",
      found: `uid ${process.getuid?.() ?? "?"}, and ${mounts.join(", ")} mounted`,
      notes: ["run `strata clean` as root (for example with sudo)"],
    });
  }
  const busy = stores(dir, mounts).flatMap(users);
  if (busy.length > 0) {
    throw new StrataError({
      label,
      message: `the working volume ${dir} is in use`,
      expected: "no build, image test or shell running on it",
      found: busy.join("; "),
      notes: ["wait for them to finish (or stop them), then run `strata clean` again"],
    });
  }
  const unmounted: string[] = [];
  for (const m of mounts) {
    const r = await run("umount", [m]);
    if (r.exitCode !== 0) {
      throw new StrataError({ label, message: `could not unmount ${m}`, expected: "a mount no process uses", found: r.stderr.trim(), notes: ["a process may still have its working directory or a file there: `fuser -vm " + m + "` lists them"] });
    }
    unmounted.push(m);
  }
  if (isOnBtrfs(dir)) await removeTrees(dir);
  await rm(dir, { recursive: true, force: true });
  return { dir, unmounted, removed: true };
}
