// An in-memory FactsView for tests: a parent layer described by a few facts.
import type { FactsView, GroupFact, MountFact, PathFact, UserFact } from "../../src/types.js";

export interface FixtureFacts {
  paths?: Array<Partial<PathFact> & { path: string; type: PathFact["type"] }>;
  users?: string[];
  groups?: string[];
  mounts?: MountFact[];
}

export function factsOf(spec: FixtureFacts): FactsView {
  const paths = new Map<string, PathFact>();
  for (const p of spec.paths ?? []) paths.set(p.path, { mode: p.type === "directory" ? 0o755 : 0o644, uid: 0, gid: 0, ...p });
  const users = new Map<string, UserFact>((spec.users ?? []).map((n, i) => [n, { name: n, uid: 1000 + i, gid: 1000, home: "/", shell: "/bin/sh", comment: "", groups: [] }]));
  const groups = new Map<string, GroupFact>((spec.groups ?? []).map((n, i) => [n, { name: n, gid: 1000 + i, members: [] }]));
  return {
    path: (p) => paths.get(p),
    user: (n) => users.get(n),
    group: (n) => groups.get(n),
    users: () => users.values(),
    groups: () => groups.values(),
    mounts: () => spec.mounts ?? [],
    listUnder: (dir) => {
      const prefix = dir === "/" ? "/" : dir + "/";
      return [...paths.values()].filter((p) => p.path.startsWith(prefix) && p.path !== dir).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    },
  };
}

/** A typical base layer: /etc with passwd and group, /bin/sh, /usr/bin. */
export function baseFacts(extra: FixtureFacts = {}): FactsView {
  return factsOf({
    ...extra,
    paths: [
      { path: "/etc", type: "directory" },
      { path: "/etc/passwd", type: "file" },
      { path: "/etc/group", type: "file" },
      { path: "/bin", type: "directory" },
      { path: "/bin/sh", type: "file", mode: 0o755 },
      { path: "/sbin", type: "directory" },
      { path: "/sbin/nologin", type: "file", mode: 0o755 },
      { path: "/usr", type: "directory" },
      { path: "/usr/bin", type: "directory" },
      { path: "/home", type: "directory" },
      ...(extra.paths ?? []),
    ],
  });
}
