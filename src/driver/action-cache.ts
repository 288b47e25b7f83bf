// The persistent action cache: action key per (owner, category, identifier), in buck-out/v2/.strata-action-cache.json.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export class ActionCache {
  private readonly file: string;
  private keys: Record<string, string> = {};

  constructor(root: string) {
    this.file = join(root, "buck-out", "v2", ".strata-action-cache.json");
    try {
      const parsed: unknown = JSON.parse(readFileSync(this.file, "utf8"));
      if (parsed !== null && typeof parsed === "object") this.keys = parsed as Record<string, string>;
    } catch {
      this.keys = {};
    }
  }

  get(id: string): string | undefined {
    return this.keys[id];
  }

  set(id: string, key: string | undefined): void {
    if (key === undefined) delete this.keys[id];
    else this.keys[id] = key;
    this.save();
  }

  /** Written to a temporary file and renamed, so a crash never leaves half a cache. */
  private save(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.keys, null, 1));
    renameSync(tmp, this.file);
  }
}
