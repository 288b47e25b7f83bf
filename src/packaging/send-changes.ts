// The changes a btrfs send stream reports (writing the package.sendstream format is sendstream.ts): reads a stream
// (v1, as `btrfs send --no-data` writes it) and returns the paths it touches, the exact list of what changed
// between the parent and child subvolumes, found by btrfs comparing its trees, so the cost is what the child
// changed, not what the parent holds. Paths are byte strings decoded as latin1 (one char per byte), so names that
// are not UTF-8 survive; `Buffer.from(p, "latin1")` gives the bytes back.

const MAGIC = "btrfs-stream\0";

// command and attribute numbers of the v1 stream format (btrfs-progs send.h)
const CMD_RENAME = 9;
const ATTR = { PATH: 15, PATH_TO: 16 } as const;

export interface SendChanges {
  /** every path a command creates, changes or removes (temporary orphan names included) */
  touched: Set<string>;
  /** destinations of renames: a renamed directory brings its whole subtree to the new place */
  renamedTo: Set<string>;
}

export function parseSendStream(buf: Buffer): SendChanges {
  if (buf.length < 17 || buf.toString("latin1", 0, 13) !== MAGIC) throw new Error("not a btrfs send stream (bad magic)");
  const version = buf.readUInt32LE(13);
  // v2 changes how data attributes are framed; `btrfs send --no-data` writes v1 unless asked otherwise
  if (version !== 1) throw new Error(`unsupported btrfs send stream version ${version}`);
  const touched = new Set<string>();
  const renamedTo = new Set<string>();
  let off = 17;
  while (off + 10 <= buf.length) {
    const len = buf.readUInt32LE(off);
    const cmd = buf.readUInt16LE(off + 4);
    let a = off + 10;
    const end = a + len;
    if (end > buf.length) throw new Error("truncated btrfs send stream");
    while (a + 4 <= end) {
      const type = buf.readUInt16LE(a);
      const alen = buf.readUInt16LE(a + 2);
      const value = buf.toString("latin1", a + 4, a + 4 + alen);
      if (type === ATTR.PATH) touched.add(value);
      else if (type === ATTR.PATH_TO) {
        touched.add(value);
        if (cmd === CMD_RENAME) renamedTo.add(value);
      }
      // PATH_LINK is a symlink's target text (SYMLINK) or the existing name a hard link points to (LINK): neither changes
      a += 4 + alen;
    }
    off = end;
  }
  return { touched, renamedTo };
}
