// Shared vocabulary of the runner: items on the dependency graph, requirements, and facts about a layer.
// Every module (features, depgraph, facts, storage) speaks these types.

export type FileType = "file" | "directory" | "symlink" | "block-device" | "char-device" | "fifo" | "socket";

/** Something a feature creates, as the dependency graph sees it. `mode` is permission bits only (0o7777). */
export type Item =
  | { kind: "path"; path: string; fileType: FileType; mode: number }
  | { kind: "symlink"; path: string; target: string }
  | { kind: "mount"; path: string; source: string }
  | { kind: "user"; name: string }
  | { kind: "group"; name: string };

/** Items share a key when they occupy the same slot: a path, a user name or a group name. */
export type ItemKey = `path:${string}` | `user:${string}` | `group:${string}`;

export type Validator =
  | { kind: "exists" }
  | { kind: "file-type"; fileType: FileType }
  | { kind: "executable" }
  | { kind: "all"; of: Validator[] }
  | { kind: "any"; of: Validator[] };

/** `ordered`: the provider must be applied before the requirer; otherwise it only has to hold by the end of the phase. */
export interface Requirement {
  key: ItemKey;
  ordered: boolean;
  validator: Validator;
}

/** What a published layer records about one path of its tree. */
export interface PathFact {
  path: string;
  type: FileType;
  /** permission bits (0o7777) */
  mode: number;
  uid: number;
  gid: number;
  /** regular files: size in bytes */
  size?: number;
  /** symlinks: the raw link text */
  target?: string;
  /** extended attributes, when the path has any: canonical text `name=0xhex,...`, names sorted (src/facts/xattrs.ts) */
  xattrs?: string;
  /** who put it there, for messages: `//label: feature_type` (absent for paths of unknown origin) */
  origin?: string;
}

export interface UserFact {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
  comment: string;
  /** supplementary group names */
  groups: string[];
}

export interface GroupFact {
  name: string;
  gid: number;
  members: string[];
}

export interface MountFact {
  mountpoint: string;
  /** path of the source layer's published output (its OUT symlink) */
  source: string;
  /** Buck2 label of the source layer, for messages */
  sourceLabel?: string;
}

/** Read-only view of a layer's facts. The depgraph and features read parents through it. */
export interface FactsView {
  path(p: string): PathFact | undefined;
  user(name: string): UserFact | undefined;
  group(name: string): GroupFact | undefined;
  users(): Iterable<UserFact>;
  groups(): Iterable<GroupFact>;
  mounts(): MountFact[];
  /** every path strictly under `dir` (recursive), in sorted order */
  listUnder(dir: string): Iterable<PathFact>;
}

/** The features file (runner input) holds a JSON array of these; each feature module narrows it with its zod schema. */
export interface FeatureBase {
  type: string;
  /** Buck2 label of the target that declared the feature */
  label: string;
  /** where its `feature.*` call is, `path:line` (project-relative; written by the rules); see features/site.ts */
  loc?: string;
}
