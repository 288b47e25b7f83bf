// Packaging benchmarks (need root: they make their own loopback btrfs volume). Each prints one JSON line.
//   tar_zst_vs_gnu_tar      `strata package tar.zst` of a 10,000-file, 100 MB layer vs `tar | zstd -T0` of the same tree
//   tar_gz_vs_gnu_tar       `strata package tar.gz` vs `tar | pigz`
//   oci_child_vs_parent_size  the OCI image of a one-file child (its diff, its blob, the layout) on a 100,000-file
//                           parent vs on a 1,000-file parent; the parent's blob is already built (a cached artifact)
//   squashfs_vs_mksquashfs  `strata package squashfs` vs mksquashfs on the same tree
//   ext4_vs_mkfs            `strata package ext4` (fixed size) vs mkfs.ext4 -d on the same tree, same size
import { randomBytes } from "node:crypto";
import { mkdirSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Timed, makeTree, median, printResult, runs, scratchBtrfs, settle, size, timeCommand, timeStrata, writeJson } from "./lib.js";

const RUNS = runs(5);
// [dirs, files per dir]: the packaged tree (files of 10 KB), and the OCI child's small and large parent
const MIXED = size([100, 100], [10, 50]);
const SMALL = size([10, 100], [10, 10]);
const LARGE = size([100, 1000], [10, 200]);
const count = ([d, f]: number[]): number => d! * f!;

/** dirs × files of 10 KB, half random, half repeated: compresses like real files do */
function makeMixedTree(root: string): void {
  for (let d = 0; d < MIXED[0]!; d++) {
    const dir = join(root, `d${String(d).padStart(3, "0")}`);
    mkdirSync(dir, { recursive: true });
    for (let f = 0; f < MIXED[1]!; f++) {
      const buf = Buffer.alloc(10 * 1024, 0x61);
      randomBytes(5 * 1024).copy(buf);
      writeFileSync(join(dir, `f${String(f).padStart(3, "0")}`), buf);
    }
  }
}

async function pair(name: string, params: Record<string, unknown>, ours: () => Promise<Timed>, theirs: () => Promise<Timed>): Promise<void> {
  // STRATA_BENCH_FILTER=regex runs only the matching benchmarks
  const only = process.env["STRATA_BENCH_FILTER"];
  if (only !== undefined && !new RegExp(only).test(name)) return;
  const a: Timed[] = [];
  const b: Timed[] = [];
  for (let i = 0; i < RUNS; i++) {
    settle();
    a.push(await ours());
    settle();
    b.push(await theirs());
  }
  const s = median(a.map((t) => t.seconds));
  const base = median(b.map((t) => t.seconds));
  printResult({ name, params, seconds: s, baseline_seconds: base, ratio: s / base, peak_rss_mb: Math.max(...a.map((t) => t.rssMb)), runs: RUNS });
}

export default async function packagingBenchmarks(): Promise<void> {
  const vol = scratchBtrfs();
  try {
    const proj = join(vol.mount, "project");
    const wv = join(vol.mount, "strata-out");
    const out = join(vol.mount, "out");
    mkdirSync(out, { recursive: true });
    const compile = (label: string, features: string, o: string, extra: string[] = []) =>
      timeStrata(["compile", "--label", label, "--phase", "compile", "--features", features, "--out", o, "--working-volume", wv, ...extra], proj);
    const pkg = (args: string[]) => timeStrata(["package", ...args], proj);
    const sh = (script: string) => timeCommand("sh", ["-c", script]);

    makeMixedTree(join(proj, "src10k"));
    const layer = join(proj, "layer10k");
    await compile("//bench:l10k", writeJson(join(proj, "l10k.json"), [{ type: "install", label: "//bench:l10k", src: "src10k", dst: "/data/" }]), layer);
    const tree = realpathSync(layer);
    const files = { files: count(MIXED), mb: count(MIXED) / 100 };

    await pair(
      "tar_zst_vs_gnu_tar",
      files,
      () => pkg(["tar.zst", "--label", "//bench:t", "--layer", layer, "--out", join(out, "a.tar.zst")]),
      () => sh(`tar -C '${tree}' --sort=name --numeric-owner --xattrs -cf - . | zstd -q -3 -T0 > '${join(out, "b.tar.zst")}'`),
    );
    await pair(
      "tar_gz_vs_gnu_tar",
      files,
      () => pkg(["tar.gz", "--label", "//bench:t", "--layer", layer, "--out", join(out, "a.tar.gz")]),
      () => sh(`tar -C '${tree}' --sort=name --numeric-owner --xattrs -cf - . | pigz -n -6 > '${join(out, "b.tar.gz")}'`),
    );
    await pair(
      "squashfs_vs_mksquashfs",
      files,
      () => pkg(["squashfs", "--label", "//bench:s", "--layer", layer, "--out", join(out, "a.squashfs")]),
      () => sh(`mksquashfs '${tree}' '${join(out, "b.squashfs")}' -noappend -no-progress -quiet -comp gzip >/dev/null`),
    );
    await pair(
      "ext4_vs_mkfs",
      files,
      () => pkg(["ext4", "--label", "//bench:e", "--layer", layer, "--out", join(out, "a.ext4"), "--size-mb", "256"]),
      () => sh(`mkfs.ext4 -F -q -d '${tree}' '${join(out, "b.ext4")}' 256M`),
    );

    // OCI of a one-file child: 1k-file parent vs 100k-file parent, parent blobs built beforehand
    if (process.env["STRATA_BENCH_FILTER"] !== undefined && !new RegExp(process.env["STRATA_BENCH_FILTER"]).test("oci_child_vs_parent_size")) return;
    makeTree(join(proj, "src1k"), SMALL[0]!, SMALL[1]!, 16);
    makeTree(join(proj, "src100k"), LARGE[0]!, LARGE[1]!, 16);
    const child = writeJson(join(proj, "child.json"), [{ type: "install_text", label: "//bench:child", text: "one more file\n", dst: "/data/new.txt" }]);
    const cfg = writeJson(join(proj, "cfg.json"), { ref: "latest" });
    const prepare = async (n: string) => {
      const parent = join(proj, `parent${n}`);
      await compile(`//bench:p${n}`, writeJson(join(proj, `p${n}.json`), [{ type: "install", label: `//bench:p${n}`, src: `src${n}`, dst: "/data/" }]), parent);
      await pkg(["layer-diff", "--label", "//bench:p", "--layer", parent, "--out", join(out, `p${n}.tar`)]);
      await pkg(["layer-blob.gz", "--label", "//bench:p", "--diff", join(out, `p${n}.tar`), "--out", join(out, `p${n}.blob`), "--descriptor-out", join(out, `p${n}.json`)]);
      const c = join(proj, `child${n}`);
      await compile("//bench:child", child, c, ["--parent", parent]);
      return async (): Promise<Timed> => {
        const steps = [
          await pkg(["layer-diff", "--label", "//bench:c", "--layer", c, "--parent", parent, "--out", join(out, `c${n}.tar`)]),
          await pkg(["layer-blob.gz", "--label", "//bench:c", "--diff", join(out, `c${n}.tar`), "--out", join(out, `c${n}.blob`), "--descriptor-out", join(out, `c${n}.json`)]),
          await pkg(["oci", "--label", "//bench:i", "--config", cfg, "--out", join(out, `i${n}`), "--blob", join(out, `p${n}.blob`), "--descriptor", join(out, `p${n}.json`), "--blob", join(out, `c${n}.blob`), "--descriptor", join(out, `c${n}.json`)]),
        ];
        return { seconds: steps.reduce((s, t) => s + t.seconds, 0), rssMb: Math.max(...steps.map((t) => t.rssMb)) };
      };
    };
    const small = await prepare("1k");
    const large = await prepare("100k");
    await pair("oci_child_vs_parent_size", { child_files: 1, parent_files: count(LARGE), baseline_parent_files: count(SMALL) }, large, small);
    rmSync(out, { recursive: true, force: true });
  } finally {
    vol.cleanup();
  }
}
