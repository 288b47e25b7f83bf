// `strata local repro TARGET...`: builds the targets twice, each time from scratch (every action re-run, layers
// in a working volume of their own), and reports per default output whether the two builds gave the same bytes,
// and which paths differ when they did not. A layer output (a symlink to a subvolume) is compared as a tree:
// type, mode, owner, mtime, and content or link target of every path. Both working volumes are removed afterwards.
import { createHash, randomBytes } from "node:crypto";
import { cpSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, realpathSync, rmdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { Argv, CommandModule } from "yargs";
import { ActionCache, buildTargets, DriverFailure, findProjectRoot } from "../../packages/buck2-local/src/index.js";

type TreeDigest = Map<string, string>;

function describePath(abs: string, withTimes: boolean): string {
  const st = lstatSync(abs);
  const meta = `${(st.mode & 0o170000).toString(8)} ${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid}${withTimes ? ` ${Math.floor(st.mtimeMs / 1000)}` : ""}`;
  if (st.isSymbolicLink()) return `${meta} -> ${readlinkSync(abs)}`;
  if (st.isFile()) return `${meta} ${createHash("sha256").update(readFileSync(abs)).digest("hex")}`;
  return meta;
}

/**
 * path -> description of every entry under `top` (`.` is `top` itself). Times count in a layer (they are part of
 * the image); in a directory output they do not (Buck2 does not keep them either).
 */
function treeDigest(top: string, withTimes: boolean): TreeDigest {
  const out: TreeDigest = new Map();
  const visit = (rel: string) => {
    const abs = rel === "." ? top : join(top, rel);
    out.set(rel, describePath(abs, withTimes));
    if (lstatSync(abs).isDirectory()) for (const n of readdirSync(abs).sort()) visit(rel === "." ? n : `${rel}/${n}`);
  };
  visit(".");
  return out;
}

interface Snapshot {
  kind: "file" | "tree";
  digest: string;
  tree?: TreeDigest;
  /** a copy of a file output from the first build, to find the first differing byte */
  copy?: string;
}

function snapshot(abs: string, keepCopyAt: string | undefined): Snapshot {
  const st = lstatSync(abs);
  if (st.isFile()) {
    if (keepCopyAt !== undefined) cpSync(abs, keepCopyAt);
    return { kind: "file", digest: createHash("sha256").update(readFileSync(abs)).digest("hex"), copy: keepCopyAt };
  }
  // a directory output, or a layer (a symlink to its subvolume)
  const tree = st.isSymbolicLink() ? treeDigest(realpathSync(abs), true) : treeDigest(abs, false);
  const h = createHash("sha256");
  for (const [p, d] of tree) h.update(`${p}\0${d}\0`);
  return { kind: "tree", digest: h.digest("hex"), tree };
}

function firstDifference(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

/**
 * Outputs that are equivalent by design, never bit-identical: a btrfs send stream names the subvolume's UUID and
 * transaction ids. test/packaging receives such streams and compares the trees instead.
 */
const EQUIVALENT_ONLY = [/\.sendstream(\.zst)?$/];

export interface ReproResult {
  output: string;
  label: string;
  same: boolean;
  /** the format cannot be bit-identical (see EQUIVALENT_ONLY): reported, never a failure */
  equivalentOnly: boolean;
  digest: [string, string];
  differences: string[];
}

function compare(label: string, output: string, a: Snapshot, b: Snapshot, abs: string): ReproResult {
  const differences: string[] = [];
  if (a.digest !== b.digest) {
    if (a.kind === "tree" && b.kind === "tree") {
      for (const p of new Set([...a.tree!.keys(), ...b.tree!.keys()])) {
        const x = a.tree!.get(p);
        const y = b.tree!.get(p);
        if (x !== y) differences.push(`${p}: ${x ?? "(absent)"} | ${y ?? "(absent)"}`);
      }
    } else if (a.copy !== undefined) {
      const x = readFileSync(a.copy);
      const y = readFileSync(abs);
      differences.push(`first differing byte at offset ${firstDifference(x, y)} (sizes ${x.length} and ${y.length})`);
    }
  }
  const equivalentOnly = EQUIVALENT_ONLY.some((r) => r.test(output));
  return { output, label, same: a.digest === b.digest, equivalentOnly, digest: [a.digest, b.digest], differences: equivalentOnly ? [] : differences };
}

/**
 * Both builds' working volumes go: the outputs in buck-out point into the second one, so the action cache is
 * forgotten too and the next build makes them again in the project's working volume. What cannot be removed (a
 * build still running in it) is left to `strata gc`, which collects nested working volumes.
 */
async function removeReproVolumes(root: string, store: string, tag: string, log: (l: string) => void): Promise<void> {
  const { cleanWorkingVolume } = await import("../storage/clean.js");
  new ActionCache(root).clear();
  for (const round of [1, 2]) {
    const dir = join(store, "repro", `${tag}-${round}`);
    await cleanWorkingVolume(dir, "strata local repro").catch((e: unknown) => log(`repro: left ${dir} to \`strata gc\`: ${e instanceof Error ? e.message : String(e)}`));
  }
  try {
    rmdirSync(join(store, "repro"));
  } catch {
    // another repro's volumes are there
  }
}

/** builds `patterns` twice from scratch and compares every default output */
export async function repro(root: string, patterns: string[], cwd: string, log: (l: string) => void): Promise<ReproResult[]> {
  const { openWorkingVolume } = await import("../storage/volume.js");
  const base = await openWorkingVolume({ label: "strata local repro" });
  const tag = randomBytes(4).toString("hex");
  const scratch = join(root, "buck-out", "v2", "repro", tag);
  mkdirSync(scratch, { recursive: true });
  const previousVolume = process.env["STRATA_WORKING_VOLUME"];
  const first = new Map<string, Snapshot>();
  const results: ReproResult[] = [];
  try {
    for (const round of [1, 2]) {
      // every action runs again: no action cache, and layers in a fresh working volume on the same btrfs
      new ActionCache(root).clear();
      process.env["STRATA_WORKING_VOLUME"] = join(base.store, "repro", `${tag}-${round}`);
      log(`repro: build ${round} of 2 (working volume ${process.env["STRATA_WORKING_VOLUME"]})`);
      const { evaluation } = await buildTargets(root, patterns, cwd);
      let n = 0;
      for (const t of evaluation.requested) {
        for (const out of t.default_outputs) {
          const abs = join(root, out);
          if (!existsSync(abs)) continue;
          if (round === 1) first.set(out, snapshot(abs, join(scratch, String(n++))));
          else {
            const a = first.get(out);
            if (a !== undefined) results.push(compare(t.label, out, a, snapshot(abs, undefined), abs));
          }
        }
      }
    }
  } finally {
    if (previousVolume === undefined) delete process.env["STRATA_WORKING_VOLUME"];
    else process.env["STRATA_WORKING_VOLUME"] = previousVolume;
    rmSync(scratch, { recursive: true, force: true });
    await removeReproVolumes(root, base.store, tag, log);
  }
  return results;
}

interface ReproArgs {
  targets: string[];
  json: boolean;
}

export const reproCommand: CommandModule<object, ReproArgs> = {
  command: "repro <targets..>",
  describe: "build targets twice from scratch, in separate working volumes, and check every output is bit-identical",
  builder: (y) =>
    y
      .positional("targets", { type: "string", array: true, demandOption: true })
      .option("json", { type: "boolean", default: false, describe: "print one JSON line per output" }) as Argv<ReproArgs>,
  handler: async (args) => {
    try {
      const root = findProjectRoot(process.cwd());
      const results = await repro(root, args.targets, process.cwd(), (l) => process.stderr.write(l + "\n"));
      for (const r of results) {
        if (args.json) process.stdout.write(JSON.stringify(r) + "\n");
        else {
          const verdict = r.same ? "same     " : r.equivalentOnly ? "n/a      " : "DIFFERENT";
          process.stdout.write(`${verdict} ${r.label} ${r.output} ${r.digest[0].slice(0, 16)}${r.same ? "" : ` ${r.digest[1].slice(0, 16)}`}${r.equivalentOnly ? " (a btrfs send stream: equivalent, not bit-identical, by design)" : ""}\n`);
          for (const d of r.differences.slice(0, 50)) process.stdout.write(`    ${d}\n`);
        }
      }
      const bad = results.filter((r) => !r.same && !r.equivalentOnly);
      if (bad.length > 0) {
        process.stderr.write(`error: ${bad.length} of ${results.length} outputs differ between two builds: ${bad.map((r) => r.label).join(", ")}\n`);
        process.exit(1);
      }
      const skipped = results.filter((r) => r.equivalentOnly && !r.same).length;
      process.stderr.write(`repro: ${results.length - skipped} outputs bit-identical${skipped > 0 ? `, ${skipped} equivalent-only (btrfs send streams)` : ""}\n`);
    } catch (e) {
      if (e instanceof DriverFailure) {
        process.stderr.write(e.text.endsWith("\n") ? e.text : e.text + "\n");
        process.exit(e.exitCode);
      }
      throw e;
    }
  },
};
