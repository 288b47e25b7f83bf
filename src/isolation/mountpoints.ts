// Mount targets inside the image: resolved through the image's own symlinks (never the host's), and created when
// missing in a writable root, then removed again afterwards so the command leaves no trace of them.
import { existsSync, lstatSync, mkdirSync, rmdirSync, unlinkSync, writeFileSync } from "node:fs";
import { StrataError } from "../errors.js";
import { resolveInImage } from "../image/resolve.js";
import { ancestors } from "../image/path.js";

export interface MountTarget {
  /** image path as the caller named it */
  path: string;
  kind: "dir" | "file";
}

export interface PreparedTargets {
  /** image paths with symlinks resolved, in the order of `targets` */
  resolved: string[];
  /** undo the creations (deepest first); only paths that are still empty are removed */
  cleanup(): void;
}

export function prepareMountTargets(root: string, targets: MountTarget[], writable: boolean, label: string): PreparedTargets {
  const created: { hostPath: string; kind: "dir" | "file" }[] = [];
  const resolved: string[] = [];
  const cleanup = (): void => {
    for (const c of [...created].reverse()) {
      try {
        if (c.kind === "dir") rmdirSync(c.hostPath);
        else if (lstatSync(c.hostPath).size === 0) unlinkSync(c.hostPath);
      } catch {
        /* not empty any more or already gone: the command put something there, keep it */
      }
    }
  };
  try {
    for (const t of targets) {
      const r = resolveInImage(root, t.path, true);
      resolved.push(r.imagePath);
      if (existsSync(r.hostPath)) continue;
      if (!writable) {
        throw new StrataError({ label, message: `mount point ${t.path} does not exist in the read-only image`, expected: `a ${t.kind === "dir" ? "directory" : "file"} at ${t.path}`, found: "nothing" });
      }
      for (const a of [...ancestors(r.imagePath), ...(t.kind === "dir" ? [r.imagePath] : [])]) {
        const host = root + a;
        if (existsSync(host)) continue;
        mkdirSync(host, { mode: 0o755 });
        created.push({ hostPath: host, kind: "dir" });
      }
      if (t.kind === "file") {
        writeFileSync(r.hostPath, "", { mode: 0o644 });
        created.push({ hostPath: r.hostPath, kind: "file" });
      }
    }
  } catch (e) {
    cleanup();
    throw e;
  }
  return { resolved, cleanup };
}
