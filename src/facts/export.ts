// The facts of a layer as one JSON document (the Buck2 `[facts]` sub-target, `strata compile --facts-out`).
import { open, rename, rm } from "node:fs/promises";
import { tempSibling } from "../storage/atomic.js";
import type { LayerFacts } from "./view.js";

export const EXPORT_FORMAT = "strata-facts-export/1";

/** streams the full materialisation: one path per line inside "paths", so even 100k paths need little memory */
export async function exportFactsJson(view: LayerFacts, file: string, meta: { label: string; phase: string }): Promise<void> {
  const tmp = tempSibling(file);
  const fh = await open(tmp, "w", 0o644);
  try {
    const head = {
      format: EXPORT_FORMAT,
      label: meta.label,
      phase: meta.phase,
      users: [...view.users()],
      groups: [...view.groups()],
      mounts: view.mounts(),
    };
    let buf = JSON.stringify(head).slice(0, -1) + ',"paths":[\n';
    let first = true;
    for (const f of view.all()) {
      buf += (first ? "" : ",\n") + JSON.stringify(f);
      first = false;
      if (buf.length > 1 << 20) {
        await fh.write(buf);
        buf = "";
      }
    }
    buf += "\n]}\n";
    await fh.write(buf);
    await fh.close();
    await rename(tmp, file);
  } catch (e) {
    await fh.close().catch(() => {});
    await rm(tmp, { force: true });
    throw e;
  }
}
