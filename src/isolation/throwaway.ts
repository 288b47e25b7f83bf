// A throwaway writable copy of a published layer (tests, shells): a btrfs snapshot beside the working volume's
// layers (a copy for the copy backend), deleted afterwards whatever happens: success, failure, SIGINT, SIGTERM.
// The layer itself is never written: it stays read-only and the command only ever sees the snapshot.
import { mkdirSync } from "node:fs";
import { mkdtemp, rm, rmdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { openFacts } from "../facts/view.js";
import { btrfsBackend, isSubvolume } from "../storage/btrfs.js";
import { copyBackend } from "../storage/copy.js";
import { THROWAWAY_DIR, THROWAWAY_OWNER_FILE, resolveLayerOutput } from "../storage/layers.js";
import { selfToken } from "../storage/liveness.js";
import type { MountFact } from "../types.js";
import { joinImage } from "../image/path.js";
import { signalExitCode } from "./run.js";


export interface Throwaway {
  /** the writable snapshot */
  root: string;
  /** the layer's layer_mounts, with each source resolved to its tree */
  layerMounts: { mountpoint: string; source: string }[];
}

/** where a layer's throwaway snapshots go: `<store>/throwaway/` (store = the parent of `layers/`) */
export function throwawayDirOf(layerDir: string): string {
  return join(dirname(dirname(layerDir)), THROWAWAY_DIR);
}

/** A mounted layer's own layer_mounts appear inside the mount (antlir2's nested mounts): outer mounts first. */
function mountsOf(mounts: MountFact[], label: string, depth = 0): Throwaway["layerMounts"] {
  if (depth > 16) throw new Error(`${label}: layer mounts nest more than 16 deep (a layer mounting itself?)`);
  return mounts.flatMap((m) => {
    const src = resolveLayerOutput(m.source, { label, role: `layer mounted at ${m.mountpoint}` });
    const nested = mountsOf(openFacts(src.facts).mounts(), label, depth + 1).map((n) => ({ ...n, mountpoint: joinImage(m.mountpoint, n.mountpoint.replace(/^\/+/, "")) }));
    return [{ mountpoint: m.mountpoint, source: src.tree }, ...nested];
  });
}

/**
 * Runs `fn` on a fresh writable snapshot of the layer published at `layerOut` and removes the snapshot after.
 * A SIGINT or SIGTERM while `fn` runs removes the snapshot, then exits with 128+signal.
 */
export async function withThrowawaySnapshot<T>(layerOut: string, label: string, fn: (t: Throwaway) => Promise<T>): Promise<T> {
  const layer = resolveLayerOutput(layerOut, { label, role: "layer" });
  const layerMounts = mountsOf(openFacts(layer.facts).mounts(), label);
  const backend = (await isSubvolume(layer.tree)) ? btrfsBackend : copyBackend;
  const base = throwawayDirOf(layer.dir);
  mkdirSync(base, { recursive: true });
  const holder = await mkdtemp(join(base, "snap-"));
  // lets gc reclaim the snapshot if this process is killed before it can clean up (SIGKILL)
  await writeFile(join(holder, THROWAWAY_OWNER_FILE), selfToken());
  const root = join(holder, "root");
  let cleaned: Promise<void> | undefined;
  const cleanup = (): Promise<void> =>
    (cleaned ??= (async () => {
      await backend.remove(root).catch(() => {});
      await rm(join(holder, THROWAWAY_OWNER_FILE), { force: true });
      await rmdir(holder).catch(() => {});
    })());
  const onSignal = (signal: NodeJS.Signals): void => {
    void cleanup().finally(() => process.exit(signalExitCode(signal)));
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    await backend.snapshot(layer.tree, root);
    return await fn({ root, layerMounts });
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    await cleanup();
  }
}
