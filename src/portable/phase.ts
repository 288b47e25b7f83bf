// One phase as a portable action: it reads only its inputs (the features and, for each ancestor phase, its key, diff
// and record), rebuilds the parent's tree from them where the store does not have it yet, applies the phase as
// `strata compile` does, and writes what the phase changed: the diff tar, the record and the key. Run locally
// by Buck2 the store is the project's working volume (the new tree stays there, so the materialisation that
// follows costs nothing); on a remote worker, a scratch directory of plain copies that is removed afterwards.
import { existsSync, lstatSync, mkdtempSync, writeFileSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { compilePhase, tracer } from "../compile.js";
import { StrataError } from "../errors.js";
import { comparePaths } from "../facts/format.js";
import { checkNoWhiteoutNames, whiteoutName, writeDiffTar } from "../packaging/diff.js";
import { requestCwd, requestEnv } from "../request-context.js";
import { openWorkingVolume, type WorkingVolume } from "../storage/volume.js";
import { collectChanges, rootMeta, type Candidates } from "./changes.js";
import { sendCandidates } from "./send-candidates.js";
import { chainOut, ensureChain, type ChainLink } from "./chain.js";
import { chainKey, PHASE_RECORD_FORMAT, serialiseRecord, type PhaseRecord } from "./format.js";

export type StoreChoice = "auto" | "volume" | "scratch";

export interface PortablePhaseOptions {
  label: string;
  phase: string;
  features: string;
  ancestors: ChainLink[];
  /** other layers the features name by a token (`@layer:N`, `@appliance`), each by its chain */
  layerRefs?: Map<string, ChainLink[]>;
  diffOut: string;
  recordOut: string;
  keyOut: string;
  store?: StoreChoice;
  workingVolume?: string;
  projectRoot?: string;
}

/**
 * On btrfs, what `btrfs send` would send from the parent to the child (both sealed): it costs what the phase
 * changed. Elsewhere, or when the child's lineage does not reach the parent (a chain entry republished between the
 * parent's lookup and the snapshot), every path at or after the marker's ctime, found by walking the child.
 */
async function candidatesOf(wv: WorkingVolume, parentTree: string | undefined, childTree: string, markerNs: bigint): Promise<Candidates> {
  if (wv.backend.kind !== "btrfs" || parentTree === undefined) return { markerNs };
  const paths = await sendCandidates(parentTree, childTree);
  return paths !== undefined ? { paths } : { markerNs };
}

/** the working volume when this runs in the project (Buck2 runs local actions in the project root), else scratch */
function chooseStore(opts: PortablePhaseOptions): "volume" | "scratch" {
  const choice = opts.store ?? "auto";
  if (choice !== "auto") return choice;
  if (opts.workingVolume !== undefined || (requestEnv().STRATA_WORKING_VOLUME ?? "") !== "") return "volume";
  return existsSync(join(requestCwd(), ".buckconfig")) ? "volume" : "scratch";
}

/** a token of rules/private/layer.bzl for another layer (`@layer:N`, `@appliance`) */
const TOKEN = /^@(layer:\d+|appliance)$/;

/** `value` with every string that is a token replaced by the output its chain has in this store */
function replaceTokens(value: unknown, outs: Map<string, string>, label: string): unknown {
  if (typeof value === "string" && TOKEN.test(value)) {
    const out = outs.get(value);
    if (out === undefined) throw new StrataError({ label, message: `the features name the layer ${value}, but no --layer-ref gives it`, expected: `--layer-ref ${value}=KEY,DIFF,RECORD`, found: "none" });
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => replaceTokens(v, outs, label));
  if (value !== null && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceTokens(v, outs, label)]));
  return value;
}

/**
 * The features file to compile: as given, or with each layer token replaced by the output of that layer's chain,
 * made in this store (a local subvolume path would mean nothing on another machine, nor hash the same)
 */
async function resolveLayerTokens(opts: PortablePhaseOptions, wv: WorkingVolume, scratch: string): Promise<string> {
  if (opts.layerRefs === undefined || opts.layerRefs.size === 0) return opts.features;
  const outs = new Map<string, string>();
  for (const [token, links] of opts.layerRefs) outs.set(token, chainOut(wv, (await ensureChain(wv, links, opts.label))!.key));
  const file = join(scratch, "features.json");
  await writeFile(file, JSON.stringify(replaceTokens(JSON.parse(await readFile(opts.features, "utf8")), outs, opts.label)));
  return file;
}

export async function runPortablePhase(opts: PortablePhaseOptions): Promise<{ key: string; store: "volume" | "scratch" }> {
  const label = opts.label;
  const store = chooseStore(opts);
  const scratch = mkdtempSync(join(tmpdir(), "strata-phase-"));
  try {
    const wv: WorkingVolume =
      store === "volume" ? await openWorkingVolume({ dir: opts.workingVolume, label }) : await openWorkingVolume({ dir: join(scratch, "store"), backend: "copy", label });
    // the referenced layers first and no tree moved on in a scratch store then: they may share the parent's ancestors
    const features = await resolveLayerTokens(opts, wv, scratch);
    const parent = await ensureChain(wv, opts.ancestors, label, { scratch: store === "scratch" && (opts.layerRefs?.size ?? 0) === 0 });
    let marker = 0n;
    let key = "";
    const changeLog = { sinceMs: 0, paths: new Set<string>(), walked: false };
    await compilePhase({
      label,
      phase: opts.phase,
      features,
      out: join(scratch, "out"),
      parent: parent !== undefined ? chainOut(wv, parent.key) : undefined,
      workingVolume: wv.dir,
      backend: wv.backend.kind,
      projectRoot: opts.projectRoot ?? requestCwd(),
      afterSnapshot: async (layer) => {
        const file = join(layer.dir, "phase-start");
        writeFileSync(file, "");
        marker = lstatSync(file, { bigint: true }).ctimeNs;
        changeLog.sinceMs = Number(marker) / 1e6;
      },
      changeLog,
      beforePublish: async (layer, derived) => {
        const trace = tracer();
        // an opaque phase's facts walk already noted what changed (names as UTF-8 text: one that is not UTF-8 reads
        // back as U+FFFD, so such a phase takes another way); otherwise btrfs send, or a walk of ctimes
        const noted = changeLog.walked && ![...changeLog.paths].some((p) => p.includes("\uFFFD"));
        const candidates: Candidates = noted
          ? { paths: [...changeLog.paths].map((p) => Buffer.from(p === "/" ? "" : p.slice(1), "utf8").toString("latin1")), existingOnly: true }
          : await candidatesOf(wv, parent?.layer.tree, layer.tree, marker);
        trace(`portable: candidates (${noted ? "facts walk" : "paths" in candidates ? "btrfs send" : "ctime walk"})`);
        const changes = collectChanges(layer.tree, parent?.layer.tree, candidates);
        trace(`portable: compare (${changes.entries.length} entries, ${changes.removed.length} removed)`);
        const entries = changes.entries.map((e) => e.path);
        checkNoWhiteoutNames(entries, label);
        const staging = join(scratch, "diff");
        await mkdir(staging);
        trace("portable: staging");
        const diffSha = await writeDiffTar(layer.tree, { entries, whiteouts: changes.removed.map(whiteoutName) }, resolve(opts.diffOut), staging, undefined);
        // sorted here: a walked phase lists paths in readdir order, which differs between filesystems
        const delta = derived.delta.toData();
        delta.upserts.sort((a, b) => comparePaths(a.path, b.path));
        delta.removed.sort(comparePaths);
        const record: PhaseRecord = {
          format: PHASE_RECORD_FORMAT,
          label,
          phase: opts.phase,
          changes,
          root: rootMeta(layer.tree),
          delta,
          info: derived.info,
        };
        trace("portable: diff tar");
        const text = serialiseRecord(record);
        await writeFile(opts.recordOut, text);
        key = chainKey(parent?.key, diffSha, text);
        await writeFile(opts.keyOut, key + "\n");
        trace("portable: record, key");
        return chainOut(wv, key);
      },
    });
    if (key === "") throw new StrataError({ label, message: "internal: the phase finished without a key" });
    return { key, store };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
