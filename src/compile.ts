// One phase of a layer: validate everything, snapshot the parent, apply the features in order, derive facts,
// seal, publish. Nothing is written before validation passes; on any failure the half-built tree is removed
// and OUT is left as it was.
import { lstatSync, lutimesSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { resolve } from "node:path";
import { planPhase } from "./depgraph/index.js";
import { StrataError } from "./errors.js";
import { deriveDelta, type PhaseChanges, type Retimer } from "./facts/derive.js";
import { exportFactsJson } from "./facts/export.js";
import { readUsersAndGroups } from "./facts/passwd.js";
import { writeFactsRecord } from "./facts/store.js";
import { emptyFacts, openFacts, type LayerFacts, type LayerInfo } from "./facts/view.js";
import type { DeltaLevel } from "./facts/delta.js";
import { parseFeatures } from "./features/registry.js";
import { siteOf } from "./features/site.js";
import type { AnalyzeContext, CompileContext } from "./features/types.js";
import { beginLayer, publishLayer, recordFactsWritten, resolveLayerOutput, type LayerPaths } from "./storage/layers.js";
import { removeTree } from "./storage/remove.js";
import { checkUmask } from "./storage/umask.js";
import { openWorkingVolume } from "./storage/volume.js";
import { requireOnVolume } from "./storage/same-volume.js";
import { normaliseTreeTimes } from "./isolation/times.js";
import { LiteralPaths, lstatOrNull, resolveInImage } from "./image/resolve.js";
import { ImagePathError, parentOf } from "./image/path.js";
import { requestCwd, requestEnv, requestStderr, throwIfCancelled } from "./request-context.js";

export interface CompileOptions {
  label: string;
  phase: string;
  /** path of the features file (JSON array) */
  features: string;
  out: string;
  /** the parent layer's OUT symlink */
  parent?: string;
  workingVolume?: string;
  factsOut?: string;
  backend?: string;
  /** relative feature sources resolve against it; default the current directory */
  projectRoot?: string;
  /** called on the writable tree right after the parent is snapshotted, before any feature writes (portable phases) */
  afterSnapshot?: (layer: LayerPaths) => Promise<void>;
  /**
   * filled in for an opaque phase (which walks its whole tree anyway): every image path whose ctime was at or after
   * `sinceMs` when the facts walk read it, or whose time this phase then set; `walked` says it was filled
   */
  changeLog?: { sinceMs: number; paths: Set<string>; walked: boolean };
  /** called on the sealed layer with its facts written; returns where to publish it instead of `out` */
  beforePublish?: (layer: LayerPaths, derived: { delta: DeltaLevel; info: LayerInfo }) => Promise<string>;
}

export interface CompileResult {
  out: string;
  layer: LayerPaths;
}

export function sourceDateEpoch(label: string): number {
  const raw = requestEnv().SOURCE_DATE_EPOCH;
  if (raw === undefined || raw === "") return 0;
  if (!/^\d+$/.test(raw)) {
    throw new StrataError({ label, message: "SOURCE_DATE_EPOCH is not a timestamp", expected: "a non-negative integer (seconds since 1970)", found: JSON.stringify(raw) });
  }
  return Number(raw);
}

export async function readFeaturesFile(file: string, label: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (e) {
    throw new StrataError({ label, message: `cannot read the features file ${file}`, found: (e as Error).message });
  }
}

/** opens another layer's facts through its OUT symlink */
export function layerFactsOf(label: string, role: string): (out: string) => LayerFacts {
  return (out) => openFacts(resolveLayerOutput(out, { label, role }).facts);
}

/**
 * every path the phase wrote (`retimed`: those whose times are off), and the directories whose entries it changed
 * (the parents of `changed`), get mtime = atime = epoch
 */
function normaliseTimes(tree: LiteralPaths, retimed: Iterable<string>, changed: Iterable<string>, epoch: number): void {
  const done = new Set<string>();
  const touch = (p: string): void => {
    if (done.has(p)) return;
    done.add(p);
    // taken literally: a path below a symlink of the image is not itself a path of the image, and the kernel
    // would follow that link (an absolute `/etc -> /tmp/c` onto the host's /tmp/c)
    const host = tree.host(p);
    if (host === null) return;
    try {
      lutimesSync(host, epoch, epoch);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
  };
  for (const p of retimed) touch(p);
  for (const p of changed) if (p !== "/") touch(parentOf(p));
  touch("/");
  // files features and the runner read (owner lookups, users and groups): under relatime a read moves the atime
  // they were read through the image's own symlinks (resolveInImage), so that is where their atime moved
  for (const p of READ_FILES) {
    let host: string;
    try {
      host = resolveInImage(tree.root, p, true).hostPath;
    } catch (e) {
      if (e instanceof ImagePathError) continue;
      throw e;
    }
    const st = lstatOrNull(host);
    if (st?.isFile() === true) lutimesSync(host, epoch, st.mtime);
  }
}

const READ_FILES = ["/etc/passwd", "/etc/group", "/etc/shadow", "/etc/gshadow"];

/** OUT is replaced by a symlink: it may be absent, a symlink or a file, but a directory cannot be replaced atomically */
function checkOutput(out: string, label: string): void {
  let st;
  try {
    st = lstatSync(out);
  } catch {
    return;
  }
  if (st.isDirectory()) {
    throw new StrataError({
      label,
      message: `the output ${resolve(out)} is a directory`,
      expected: "nothing there, or the symlink of an earlier build",
      found: "a directory",
      notes: ["remove it; strata publishes a layer by replacing OUT with a symlink"],
    });
  }
}

/** an empty component, `.` or `..`, or a trailing slash */
const NOT_NORMAL = /\/\/|\/\.\.?(?:\/|$)|.\/$/;

function toImagePath(root: string, p: string): string {
  const abs = p.startsWith(root + "/") ? p.slice(root.length) : p;
  // features report tens of thousands of paths, nearly all already normal: path.resolve is only needed for the rest
  if (abs.startsWith("/") && !NOT_NORMAL.test(abs)) return abs;
  return resolve("/", abs);
}

/** STRATA_TRACE=1: the time of each step on stderr */
export function tracer(): (step: string) => void {
  if (requestEnv().STRATA_TRACE !== "1") return () => {};
  let last = performance.now();
  return (step) => {
    const now = performance.now();
    requestStderr().write(`strata: ${step}: ${(now - last).toFixed(1)} ms\n`);
    last = now;
  };
}

export async function compilePhase(opts: CompileOptions): Promise<CompileResult> {
  const trace = tracer();
  trace("start (since process start: " + performance.now().toFixed(0) + " ms)");
  const label = opts.label;
  checkUmask(label);
  const epoch = sourceDateEpoch(label);
  const projectRoot = resolve(opts.projectRoot ?? requestCwd());
  checkOutput(opts.out, label);
  const features = parseFeatures(await readFeaturesFile(opts.features, label), label, opts.phase);
  const parentLayer = opts.parent !== undefined ? resolveLayerOutput(opts.parent, { label, role: "parent layer" }) : undefined;
  const parent = parentLayer !== undefined ? openFacts(parentLayer.facts) : emptyFacts();
  const layerFacts = layerFactsOf(label, "source layer");
  const analyzeCtx: AnalyzeContext = { label, projectRoot, parent, layerFacts };
  const plan = await planPhase(features, analyzeCtx);
  trace("parse, parent facts, plan");

  const wv = await openWorkingVolume({ dir: opts.workingVolume, backend: opts.backend, label });
  if (parentLayer !== undefined) requireOnVolume(wv, parentLayer, { label, role: "parent layer", out: resolve(opts.parent!) });
  const layer = await beginLayer(wv, label, opts.phase);
  trace("working volume, layer directory");
  try {
    if (parentLayer !== undefined) await wv.backend.snapshot(parentLayer.tree, layer.tree);
    else await wv.backend.createEmpty(layer.tree);
    await opts.afterSnapshot?.(layer);
    trace("snapshot");
    const root = layer.tree;
    const changes: PhaseChanges = { touched: new Map(), removed: new Set() };
    for (const step of plan.order) {
      throwIfCancelled();
      const origin = `${step.feature.label}: ${step.feature.type}`;
      if (step.module.opaque === true) changes.opaqueOrigin = origin;
      const ctx: CompileContext = {
        label,
        projectRoot,
        root,
        epoch,
        parent,
        layerFacts,
        touched: (p, own) => void changes.touched.set(toImagePath(root, p), own ?? origin),
        removed: (p) => void changes.removed.add(toImagePath(root, p)),
      };
      try {
        await step.module.compile(step.feature, ctx);
      } catch (e) {
        throw e instanceof StrataError ? e.locatedAt(siteOf(step.feature)) : e;
      }
    }
    trace("apply features");
    const retime: Retimer = { epoch, paths: new Set() };
    // one view of the finished tree for facts and times: every path taken literally, never through a symlink of the image
    const tree = new LiteralPaths(root);
    const log = changes.opaqueOrigin !== undefined ? opts.changeLog : undefined;
    // (a ctime as a double in ms is exact to a fraction of a microsecond: the slack keeps the comparison safe)
    if (log !== undefined) changes.observe = (p, st) => void (st.ctimeMs >= log.sinceMs - 0.001 && log.paths.add(p));
    const delta = deriveDelta(tree, parent, changes, retime);
    trace("derive facts");
    const info = { ...readUsersAndGroups(root), mounts: [...parent.mounts(), ...plan.mounts] };
    // last thing before sealing: reading the tree (above) moves atimes under relatime
    const changed = [...delta.upserts.keys(), ...delta.removed];
    normaliseTimes(tree, retime.paths, changed, epoch);
    if (log !== undefined) for (const p of [...retime.paths, ...changed.map((c) => (c === "/" ? c : parentOf(c)))]) log.paths.add(p);
    // an opaque command (genrule) and the reads above leave times anywhere in the tree
    if (changes.opaqueOrigin !== undefined) normaliseTreeTimes(root, epoch, log !== undefined ? (host) => void log.paths.add(toImagePath(root, host)) : undefined);
    if (log !== undefined) log.walked = true;
    trace("users, times");
    await wv.backend.setReadOnly(root);
    trace("seal");
    const meta = await writeFactsRecord(layer.facts, { label, phase: opts.phase, parent, delta, info });
    await recordFactsWritten(layer, meta.kind === "delta" ? (parentLayer ?? null) : null);
    trace("write facts");
    // read back only when asked: Buck2 builds export facts in their own action (strata facts)
    if (opts.factsOut !== undefined) await exportFactsJson(openFacts(layer.facts), resolve(opts.factsOut), { label, phase: opts.phase });
    trace("facts export");
    const publishAt = opts.beforePublish !== undefined ? await opts.beforePublish(layer, { delta, info }) : opts.out;
    trace("before publish");
    const out = await publishLayer(wv, layer, publishAt);
    trace("publish");
    return { out, layer };
  } catch (e) {
    await removeTree(layer.tree).catch(() => {});
    await rm(layer.dir, { recursive: true, force: true }).catch(() => {});
    throw e;
  }
}

