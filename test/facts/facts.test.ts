// The facts store: full records, delta chains with tombstones, compaction, and derivation from a phase's changes.
import { describe, expect, it } from "vitest";
import { mkdirSync, rmSync, symlinkSync, writeFileSync, chmodSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { DeltaLevel } from "../../src/facts/delta.js";
import { deriveDelta, walkTree } from "../../src/facts/derive.js";
import { MAX_CHAIN_DEPTH, writeFactsRecord } from "../../src/facts/store.js";
import { emptyFacts, openFacts, type LayerFacts } from "../../src/facts/view.js";
import { parseGroups, parseUsers } from "../../src/facts/passwd.js";
import type { PathFact } from "../../src/types.js";
import { freshScratchDir } from "../helpers/volume.js";

const info = { users: [], groups: [], mounts: [] };
const file = (path: string, size = 1): PathFact => ({ path, type: "file", mode: 0o644, uid: 0, gid: 0, size });
const dir = (path: string): PathFact => ({ path, type: "directory", mode: 0o755, uid: 0, gid: 0 });

async function record(parent: LayerFacts, upserts: PathFact[], removed: string[] = [], full = false): Promise<LayerFacts> {
  const d = join(freshScratchDir("facts-"), "facts");
  await writeFactsRecord(d, { label: "//t:t", phase: "compile", parent, delta: new DeltaLevel({ upserts, removed }), info, full });
  return openFacts(d);
}

async function bigBase(n: number): Promise<LayerFacts> {
  const facts: PathFact[] = [dir("/"), dir("/d")];
  for (let i = 0; i < n; i++) facts.push(file(`/d/f${String(i).padStart(6, "0")}`, i));
  return record(emptyFacts(), facts);
}

const paths = (it: Iterable<PathFact>): string[] => [...it].map((f) => f.path);

describe("full facts record", () => {
  it("answers point lookups and prefix scans without reading everything", async () => {
    const base = await bigBase(5000);
    expect(base.meta?.kind).toBe("full");
    expect(base.meta?.pathCount).toBe(5002);
    expect(base.path("/d/f004321")).toEqual(file("/d/f004321", 4321));
    expect(base.path("/d/f999999")).toBeUndefined();
    expect(base.path("/")).toEqual(dir("/"));
    const under = paths(base.listUnder("/d"));
    expect(under.length).toBe(5000);
    expect(under).toEqual([...under].sort());
    expect(paths(base.listUnder("/d/f000001"))).toEqual([]);
  });

  it("keeps a directory's entries contiguous even when siblings sort between them", async () => {
    const base = await record(emptyFacts(), [dir("/"), dir("/a"), file("/a/b"), file("/a-c"), dir("/a/d"), file("/a/d/e"), file("/a.x")]);
    expect(paths(base.listUnder("/a"))).toEqual(["/a/b", "/a/d", "/a/d/e"]);
    expect(paths(base.listUnder("/"))).toEqual(["/a", "/a-c", "/a.x", "/a/b", "/a/d", "/a/d/e"]);
  });
});

describe("delta chain", () => {
  it("a child's record holds only its delta and sees the parent's paths", async () => {
    const base = await bigBase(2000);
    const child = await record(base, [file("/d/new", 7)]);
    expect(child.meta?.kind).toBe("delta");
    expect(child.meta?.pathCount).toBe(2003);
    expect(readdirSync(child.dir!).sort()).toEqual(["delta.json", "meta.json"]);
    expect(child.path("/d/new")).toEqual(file("/d/new", 7));
    expect(child.path("/d/f000010")).toEqual(file("/d/f000010", 10));
    expect(paths(child.listUnder("/d")).length).toBe(2001);
    // the parent is unchanged
    expect(base.path("/d/new")).toBeUndefined();
  });

  it("a removed directory hides everything under it, a re-created path shows again", async () => {
    const base = await record(emptyFacts(), [dir("/"), dir("/a"), file("/a/1"), dir("/a/s"), file("/a/s/2"), file("/b")]);
    const child = await record(base, [dir("/a"), file("/a/3")], ["/a"]);
    expect(paths(child.listUnder("/"))).toEqual(["/a", "/a/3", "/b"]);
    expect(child.path("/a/s/2")).toBeUndefined();
    expect(child.meta?.pathCount).toBe(base.meta!.pathCount - 3 + 1);
    const grandchild = await record(child, [file("/a/s")], ["/b"]);
    expect(paths(grandchild.listUnder("/"))).toEqual(["/a", "/a/3", "/a/s"]);
    expect(grandchild.path("/a/s")?.type).toBe("file");
    expect(grandchild.path("/b")).toBeUndefined();
    expect(child.path("/b")).toEqual(file("/b"));
  });

  it("compacts into a full record once the chain is long, with the same content", async () => {
    let view = await record(emptyFacts(), [dir("/")]);
    for (let i = 0; i <= MAX_CHAIN_DEPTH; i++) view = await record(view, [file(`/f${i}`)], i > 0 ? [`/f${i - 1}`] : []);
    expect(view.meta?.kind).toBe("full");
    expect(paths(view.listUnder("/"))).toEqual([`/f${MAX_CHAIN_DEPTH}`]);
    const next = await record(view, [file("/g")]);
    expect(next.meta?.kind).toBe("delta");
    expect(next.meta?.depth).toBe(1);
  });

  it("compacts when the delta is large relative to the layer", async () => {
    const base = await bigBase(100);
    const many = Array.from({ length: 5000 }, (_, i) => file(`/e${i}`));
    const child = await record(base, many);
    expect(child.meta?.kind).toBe("full");
    expect(child.meta?.pathCount).toBe(5102);
    expect(child.path("/d/f000001")).toEqual(file("/d/f000001", 1));
  });
});

describe("deriving a child's facts", () => {
  function tree(): string {
    const root = freshScratchDir("tree-");
    mkdirSync(join(root, "etc/app"), { recursive: true });
    writeFileSync(join(root, "etc/app/a.conf"), "abc");
    writeFileSync(join(root, "etc/keep"), "k");
    return root;
  }

  it("examines only reported paths, and picks up new directories' contents and unreported ancestors", async () => {
    const root = tree();
    const parent = await record(emptyFacts(), walkTree(root));
    mkdirSync(join(root, "opt/x/y"), { recursive: true });
    writeFileSync(join(root, "opt/x/y/z"), "zz");
    rmSync(join(root, "etc/app"), { recursive: true });
    const delta = deriveDelta(root, parent, { touched: new Map([["/opt/x", "//t:t: install"]]), removed: new Set(["/etc/app"]) });
    const child = parent.withDelta(delta, info);
    expect(paths(child.all())).toEqual(["/", "/etc", "/etc/keep", "/opt", "/opt/x", "/opt/x/y", "/opt/x/y/z"]);
    expect(child.path("/opt/x/y/z")).toMatchObject({ type: "file", size: 2, origin: "//t:t: install" });
    expect([...delta.removed]).toEqual(["/etc/app"]);
  });

  it("a touched path that no longer exists becomes a tombstone", async () => {
    const root = tree();
    const parent = await record(emptyFacts(), walkTree(root));
    rmSync(join(root, "etc/keep"));
    const delta = deriveDelta(root, parent, { touched: new Map([["/etc/keep", undefined]]), removed: new Set() });
    expect(parent.withDelta(delta, info).path("/etc/keep")).toBeUndefined();
  });

  it("an opaque phase is walked and diffed against the parent", async () => {
    const root = tree();
    const parent = await record(emptyFacts(), walkTree(root));
    chmodSync(join(root, "etc/keep"), 0o600);
    rmSync(join(root, "etc/app"), { recursive: true });
    symlinkSync("/etc/keep", join(root, "link"));
    const delta = deriveDelta(root, parent, { touched: new Map(), removed: new Set(), opaqueOrigin: "//t:g: genrule" });
    expect([...delta.removed]).toEqual(["/etc/app"]);
    expect([...delta.upserts.keys()].sort()).toEqual(["/etc/keep", "/link"]);
    const child = parent.withDelta(delta, info);
    expect(child.path("/link")).toMatchObject({ type: "symlink", target: "/etc/keep", origin: "//t:g: genrule" });
    expect(child.path("/etc/keep")?.mode).toBe(0o600);
    expect(paths(child.all())).toEqual(paths(walkTree(root)));
  });
});

describe("users and groups", () => {
  it("parses passwd and group, with supplementary groups", () => {
    const groups = parseGroups("root:x:0:\nwheel:x:10:alice,bob\n# comment\n");
    const users = parseUsers("root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000:Alice:/home/alice:/bin/bash\n", groups);
    expect(groups).toEqual([
      { name: "root", gid: 0, members: [] },
      { name: "wheel", gid: 10, members: ["alice", "bob"] },
    ]);
    expect(users[1]).toEqual({ name: "alice", uid: 1000, gid: 1000, comment: "Alice", home: "/home/alice", shell: "/bin/bash", groups: ["wheel"] });
  });
});
