// The portable record of one phase, beside its diff tar: what the phase changed (the tar's entries and the paths it
// removed), the root directory's own metadata (the tar never holds the root), and the facts the phase derived
// (delta and users, groups, mounts), so a materialisation writes the same facts record without reading the tree.
// No timestamps, paths sorted, keys in the order the code makes them: the same phase gives the same bytes wherever it ran.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { StrataError } from "../errors.js";
import type { DeltaData } from "../facts/delta.js";
import type { LayerInfo } from "../facts/view.js";
import type { PhaseChangeSet, RootMeta } from "./changes.js";

export const PHASE_RECORD_FORMAT = "strata-phase/1";

export interface PhaseRecord {
  format: typeof PHASE_RECORD_FORMAT;
  label: string;
  phase: string;
  changes: PhaseChangeSet;
  root: RootMeta;
  delta: DeltaData;
  info: LayerInfo;
}

export function serialiseRecord(r: PhaseRecord): string {
  return JSON.stringify(r) + "\n";
}

export function readRecord(file: string, label: string): PhaseRecord {
  let r: PhaseRecord;
  try {
    r = JSON.parse(readFileSync(file, "utf8")) as PhaseRecord;
  } catch (e) {
    throw new StrataError({ label, message: `cannot read the phase record ${file}`, expected: `a ${PHASE_RECORD_FORMAT} JSON document`, found: (e as Error).message });
  }
  if (r.format !== PHASE_RECORD_FORMAT) {
    throw new StrataError({ label, message: `${file} is not a phase record this runner reads`, expected: PHASE_RECORD_FORMAT, found: String(r.format) });
  }
  return r;
}

/**
 * The key of the tree a phase leaves: its parent's key, its diff's and its record's digests. Two phases with the
 * same key leave the same tree and facts, so a working volume keeps one materialisation per key (chains/<key>).
 */
export function chainKey(parentKey: string | undefined, diffSha256: string, recordText: string): string {
  const recordSha256 = createHash("sha256").update(recordText).digest("hex");
  return createHash("sha256").update(`strata-chain/1\n${parentKey ?? "-"}\n${diffSha256}\n${recordSha256}\n`).digest("hex");
}

export function readKey(file: string, label: string): string {
  const k = readFileSync(file, "utf8").trim();
  if (!/^[0-9a-f]{64}$/.test(k)) throw new StrataError({ label, message: `${file} is not a layer key`, expected: "64 hex digits", found: JSON.stringify(k.slice(0, 80)) });
  return k;
}
