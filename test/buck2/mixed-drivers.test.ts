// Real Buck2 and the local driver taking turns on ONE checkout (issue 19 item 1). They share the working volume, so
// a phase of one finds by key (`chains/<key>`) a layer the other built, while its parent layer's output still points
// at a tree of its own with the same content but another lineage. The OCI layer of the child must still hold only
// what the child changed, and the archive must be the same bytes whichever driver built it, in whatever order.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { RULES_LOAD, checkBuck2Works, copyProject, describeBuck2, makeCopy, Outputs, repoRoot, type Copy } from "./harness.js";

const SVC = `${RULES_LOAD}load("//rules:defs.bzl", "package")

image.layer(
    name = "app",
    parent_layer = "//base:shell",
    features = [
        feature.ensure_dirs_exist(dirs = "/srv/app"),
        feature.install(src = "app.py", dst = "/srv/app/app.py", mode = 0o644),
    ],
)

package.oci_archive(name = "svc.oci.tar", layer = ":app", cmd = ["/bin/sh"], ref = "strata/svc:latest")
`;

const TARGET = "//svc:svc.oci.tar";

interface Archive {
  sha256: string;
  /** the layer blobs' sizes, base first */
  blobSizes: number[];
  /** the entries of the app layer's diff (the last blob, uncompressed) */
  appEntries: string[];
  /** the base layer's blob (its file name in the archive: its digest) */
  baseDigest: string;
}

function readArchive(file: string): Archive {
  const dir = mkdtempSync(join(tmpdir(), "strata-mixed-"));
  try {
    execFileSync("tar", ["-x", "-f", file, "-C", dir]);
    const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as { Layers: string[] }[];
    const layers = manifest[0]!.Layers.map((l) => join(dir, l));
    const last = layers[layers.length - 1]!;
    const listing = execFileSync("tar", ["-t", "-f", last], { encoding: "utf8", maxBuffer: 1 << 28 });
    return {
      sha256: createHash("sha256").update(readFileSync(file)).digest("hex"),
      blobSizes: layers.map((l) => statSync(l).size),
      appEntries: listing.split("\n").filter((l) => l !== ""),
      baseDigest: manifest[0]!.Layers[0]!,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describeBuck2("real Buck2 and the local driver in turn on one checkout", () => {
  it("give the same archive bytes every time, and the app layer's blob holds only the app", async () => {
    const bin = await checkBuck2Works();
    const root = copyProject("mixed-");
    const buck2 = makeCopy(root, bin, []);
    const local = makeCopy(root, process.execPath, [join(repoRoot, "bin", "strata.mjs"), "local"]);
    buck2.write("svc/BUCK", SVC);
    const build = async (who: Copy): Promise<Archive> => {
      const r = await who.run(["build", TARGET, "--show-output"]);
      if (r.exitCode !== 0) throw new Error(`${who === buck2 ? "buck2" : "local"} build failed (exit ${r.exitCode}):\n${String(r.stderr)}`);
      return readArchive(Outputs.parse(String(r.stdout), root).of(TARGET));
    };
    try {
      const seen: string[] = [];
      let baseDigest: string | undefined;
      // each version built by both, the driver that goes first alternating: the second build of a version finds the
      // first one's chain entries, and the next version's first build finds the previous version's
      for (const [version, order] of [[1, [local, buck2]], [2, [local, buck2]], [3, [buck2, local]], [4, [local, buck2]]] as const) {
        buck2.write("svc/app.py", `print("version ${version}")\n`);
        const [first, second] = [await build(order[0]), await build(order[1])];
        expect(second.sha256, `version ${version}: the archives of the two drivers differ`).toBe(first.sha256);
        for (const a of [first, second]) {
          expect(a.appEntries, `version ${version}: the app layer's entries`).toEqual(["srv/", "srv/app/", "srv/app/app.py"]);
          expect(a.blobSizes.length).toBe(2);
          expect(a.blobSizes[1]!, `version ${version}: the app layer's blob`).toBeLessThan(4096);
          // the base layer's blob is the same one every time
          expect(a.baseDigest).toBe(baseDigest ?? a.baseDigest);
          baseDigest = a.baseDigest;
        }
        seen.push(first.sha256);
      }
      expect(new Set(seen).size, "each version its own archive").toBe(4);
    } finally {
      await buck2.run(["kill"]);
    }
  }, 600_000);
});
