// One interface over the two ways a layer's tree can be stored: btrfs subvolumes or plain directories.

export type BackendKind = "btrfs" | "copy";
export type BackendChoice = BackendKind | "auto";

export interface SnapshotBackend {
  readonly kind: BackendKind;
  /** a new empty, writable tree at `path` (which must not exist) */
  createEmpty(path: string): Promise<void>;
  /** a writable copy of `src` at `dst` (which must not exist); `src` is never modified */
  snapshot(src: string, dst: string): Promise<void>;
  /** seal the tree: no further writes through strata (btrfs: the kernel refuses them) */
  setReadOnly(path: string): Promise<void>;
  isReadOnly(path: string): Promise<boolean>;
  /** remove the tree, read-only or not; a missing path is not an error */
  remove(path: string): Promise<void>;
}
