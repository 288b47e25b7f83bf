// The paths that may differ between a btrfs subvolume and one it descends from, as `btrfs send --no-data -p`
// finds them by comparing the two trees: it costs what the child changed. Only for a checked lineage
// (storage/lineage.ts): against an unrelated tree of the same content it would list every inode.
import { LiteralTree } from "../image/byte-paths.js";
import { parseSendStream } from "../packaging/send-changes.js";
import { runTool } from "../packaging/tools.js";
import { descendsFrom } from "../storage/lineage.js";
import { isRootless } from "../storage/userns.js";

function subtree(tree: LiteralTree, rel: string, into: string[]): void {
  for (const name of tree.names(rel)) {
    const sub = rel === "" ? name : `${rel}/${name}`;
    into.push(sub);
    if (tree.stat(sub)?.isDirectory() === true) subtree(tree, sub, into);
  }
}

/**
 * The candidates for collectChanges (portable/changes.ts), or undefined when `child` does not descend from `parent`
 * (or either is no subvolume) or when btrfs send cannot name them all; the caller then compares the trees by content.
 */
export async function sendCandidates(parent: string, child: string): Promise<string[] | undefined> {
  // btrfs send needs CAP_SYS_ADMIN of the initial user namespace, which a rootless build has not
  if (isRootless() || !(await descendsFrom(child, parent))) return undefined;
  const changes = parseSendStream(await runTool({ tool: "btrfs", args: ["send", "--quiet", "--no-data", "-p", parent, child] }));
  const c = new LiteralTree(child);
  const p0 = new LiteralTree(parent);
  const paths = [...changes.touched];
  for (const p of changes.touched) {
    // btrfs send names one path per changed inode: a hard-linked file of the parent changed in place would leave
    // its other links out (every link of an inode shares its ctime, so a walk finds them all)
    const st = c.stat(p);
    if (st !== null && st.isFile() && st.nlink >= 2n && p0.stat(p)?.ino === st.ino) return undefined;
  }
  // a renamed directory brings what it holds to its new place, and btrfs send names only the directory
  for (const p of changes.renamedTo) if (c.stat(p)?.isDirectory() === true) subtree(c, p, paths);
  return paths;
}
