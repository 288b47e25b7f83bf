// Both storage backends honour one contract: empty trees, snapshots that leave the source alone, sealing, removal.
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { SnapshotBackend } from "../../src/storage/backend.js";
import { btrfsBackend, isSubvolume } from "../../src/storage/btrfs.js";
import { copyBackend } from "../../src/storage/copy.js";
import { describeBtrfs, freshBtrfsDir } from "../helpers/volume.js";
import { listTree } from "../runner/helpers.js";

describeBtrfs("storage backends", () => {
  describe.each<[string, SnapshotBackend]>([
    ["btrfs", btrfsBackend],
    ["copy", copyBackend],
  ])("%s", (name, backend) => {
    it("snapshots a tree into a writable copy and never touches the source", async () => {
      const dir = freshBtrfsDir();
      const src = join(dir, "src");
      await backend.createEmpty(src);
      mkdirSync(join(src, "etc"));
      writeFileSync(join(src, "etc/a"), "a");
      await backend.setReadOnly(src);
      const before = listTree(src);
      const dst = join(dir, "dst");
      await backend.snapshot(src, dst);
      expect(await backend.isReadOnly(dst)).toBe(false);
      writeFileSync(join(dst, "etc/a"), "changed");
      writeFileSync(join(dst, "etc/b"), "b");
      expect(listTree(src)).toEqual(before);
      expect(readFileSync(join(src, "etc/a"), "utf8")).toBe("a");
      if (name === "btrfs") expect(await isSubvolume(dst)).toBe(true);
    });

    it("seals a tree and removes it even when sealed", async () => {
      const dir = freshBtrfsDir();
      const t = join(dir, "t");
      await backend.createEmpty(t);
      writeFileSync(join(t, "f"), "x");
      expect(await backend.isReadOnly(t)).toBe(false);
      await backend.setReadOnly(t);
      expect(await backend.isReadOnly(t)).toBe(true);
      if (name === "btrfs") {
        expect(execFileSync("btrfs", ["property", "get", "-ts", t, "ro"], { encoding: "utf8" }).trim()).toBe("ro=true");
        expect(() => writeFileSync(join(t, "g"), "y")).toThrow(expect.objectContaining({ code: "EROFS" }));
      }
      await backend.remove(t);
      expect(existsSync(t)).toBe(false);
      await backend.remove(t); // already gone: not an error
    });
  });
});
