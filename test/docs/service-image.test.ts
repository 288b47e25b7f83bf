// docs/service-image.md, done as written: its files (a code block right after a "`path`:" line) are written into a
// scratch project, its shell blocks run line by line from the project root (`npx strata` is this checkout's
// bin/strata.mjs, `podman` uses a private store), and each plain block is the output the commands before it print.
// Then what the page claims: the app's blob is about the size it says, the base blob keeps its digest when the app
// changes, and the tar holds the app and the `app` user.
import { execa } from "execa";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { copyProject, describeBuck2, makeCopy, checkBuck2Works, Outputs } from "../buck2/harness.js";
import { describeBtrfs } from "../helpers/volume.js";
import { debianProject } from "../debian/project.js";
import { repoRoot } from "../rules/project.js";

const DOC = readFileSync(join(repoRoot, "docs", "service-image.md"), "utf8");
const LAYOUT = "buck-out/v2/gen/root/svc/__svc.oci.tar__/svc.oci";
const ARCHIVES = ["svc.oci.tar", "svc.tar"];

/** what the local driver's first build made, for the real-Buck2 build to compare with: files, lock, archive digests */
let firstBuild: { files: Record<string, string>; digests: Record<string, string> } | null = null;

const sha256 = (file: string): string => createHash("sha256").update(readFileSync(file)).digest("hex");

interface Block {
  lang: string;
  body: string;
  /** the file the block is, when a "`path`:" line comes right before it */
  file?: string;
}

function blocks(md: string): Block[] {
  const out: Block[] = [];
  for (const m of md.matchAll(/(?:^`([^`\n]+)`:\n\n)?^```(\w*)\n([\s\S]*?)^```$/gm)) out.push({ file: m[1], lang: m[2]!, body: m[3]! });
  return out;
}

/** the layer blobs of the image layout, parent first */
function layerBlobs(root: string): { digest: string; size: number }[] {
  const layout = join(root, LAYOUT);
  const index = JSON.parse(readFileSync(join(layout, "index.json"), "utf8")) as { manifests: { digest: string }[] };
  const manifest = JSON.parse(readFileSync(join(layout, "blobs", "sha256", index.manifests[0]!.digest.slice(7)), "utf8")) as { layers: { digest: string; size: number }[] };
  return manifest.layers.map((l) => ({ digest: l.digest, size: l.size }));
}

/** "about N KB" / "N MB" as the page writes them, in bytes */
function claimed(pattern: RegExp): number {
  const m = pattern.exec(DOC);
  if (m === null) throw new Error(`docs/service-image.md no longer says ${String(pattern)}`);
  return Number(m[1]) * (m[2] === "KB" ? 1000 : 1e6);
}

// the refusals section 6 explains, and the flags it gives for each
const REFUSALS: [RegExp, string][] = [
  [/cgroups in hybrid mode not supported/, "--runtime runc"],
  [/setrlimit|error setting rlimits/, "--ulimit nofile=1024:1024 --ulimit nproc=1024:1024"],
];

describeBtrfs("docs/service-image.md, as written", () => {
  const store = mkdtempSync(join(tmpdir(), "strata-svc-podman-"));
  // podman with a store of its own: parallel runs of this test on one machine do not share localhost/svc:latest
  const prelude = (extra: string): string =>
    [
      `npx() { [ "$1" = strata ] || return 99; shift; node ${JSON.stringify(join(repoRoot, "bin", "strata.mjs"))} "$@"; }`,
      `podman() { if [ "$1" = run ]; then shift; command podman --root ${store}/root --runroot ${store}/run run ${extra} "$@"; else command podman --root ${store}/root --runroot ${store}/run "$@"; fi; }`,
    ].join("\n");
  afterAll(async () => {
    await execa("podman", ["--root", `${store}/root`, "--runroot", `${store}/run`, "rmi", "-a", "-f"], { reject: false });
    rmSync(store, { recursive: true, force: true });
  });

  it("is linked from the README and from docs/first-image.md", () => {
    expect(readFileSync(join(repoRoot, "README.md"), "utf8")).toContain("(docs/service-image.md)");
    expect(readFileSync(join(repoRoot, "docs", "first-image.md"), "utf8")).toContain("(service-image.md)");
  });

  it("builds, loads and runs; the app's blob is small and the base blob is reused; the tar holds the app", async () => {
    const all = blocks(DOC);
    const files = all.filter((b) => b.file !== undefined);
    expect(files.map((b) => b.file)).toEqual(["svc/packages.json", "svc/BUCK", "svc/app.py"]);
    const project = debianProject();
    let runtimeFlags = "";
    let last = "";
    const builds: { digest: string; size: number }[][] = [];
    const ran: string[] = [];
    for (const b of all) {
      if (b.file !== undefined) {
        project.write(b.file, b.body);
      } else if (b.lang === "sh") {
        last = "";
        for (const line of b.body.split("\n").filter((l) => l.trim() !== "")) {
          let r = await execa("bash", ["-c", `${prelude(runtimeFlags)}\n${line}`], { cwd: project.root, reject: false, timeout: 900_000 });
          // the host's runtime refused (section 6): apply the fix the page gives for that refusal, and again
          for (let i = 0; i < REFUSALS.length && r.exitCode !== 0 && line.startsWith("podman run"); i++) {
            const fix = REFUSALS.find(([re, flags]) => re.test(String(r.stderr)) && !runtimeFlags.includes(flags));
            if (fix === undefined) break;
            expect(DOC).toContain(fix[1]);
            runtimeFlags = `${runtimeFlags} ${fix[1]}`.trim();
            r = await execa("bash", ["-c", `${prelude(runtimeFlags)}\n${line}`], { cwd: project.root, reject: false, timeout: 120_000 });
          }
          expect(r.exitCode, `${line}\n${String(r.stderr)}`).toBe(0);
          ran.push(line);
          last = String(r.stdout);
          if (line.startsWith("npx strata local build") && line.includes("//svc:svc.oci.tar")) builds.push(layerBlobs(project.root));
          if (line.startsWith("npx strata local build") && firstBuild === null) {
            const files = Object.fromEntries(["svc/packages.json", "svc/packages.lock.json", "svc/BUCK", "svc/app.py"].map((f) => [f, readFileSync(join(project.root, f), "utf8")]));
            const digests = Object.fromEntries(ARCHIVES.map((a) => [a, sha256(join(project.root, `buck-out/v2/gen/root/svc/__${a}__/${a}`))]));
            firstBuild = { files, digests };
          }
          if (line.startsWith("tar -tvf")) {
            expect(last).toMatch(/^-rw-r--r-- 0\/0 .* \.\/srv\/app\/app\.py$/m);
            expect(last).toMatch(/^drwxr-xr-x 0\/0 .* \.\/srv\/app\/$/m);
          }
        }
      } else if (b.lang === "") {
        // an output the page shows: what the commands just before it printed
        expect(last.trim(), `the output shown after ${ran[ran.length - 1]}`).toBe(b.body.trim());
      }
    }
    expect(ran.filter((l) => l.startsWith("podman run")).length).toBeGreaterThanOrEqual(3);

    // section 3 and 7: two builds, the base blob the same, the app's blob new and about the size the page says
    expect(builds).toHaveLength(2);
    const [before, after] = builds as [{ digest: string; size: number }[], { digest: string; size: number }[]];
    expect(before).toHaveLength(2);
    expect(after[0]).toEqual(before[0]);
    expect(after[1]!.digest).not.toBe(before[1]!.digest);
    const app = claimed(/about (\d+\.\d) (KB) \(gzip\)/);
    for (const b of [before[1]!, after[1]!]) expect(Math.abs(b.size - app), `app blob ${b.size} bytes`).toBeLessThanOrEqual(150);
    const base = claimed(/about (\d+) (MB) here/);
    expect(Math.abs(before[0]!.size - base) / base, `base blob ${before[0]!.size} bytes`).toBeLessThan(0.1);

    // the user the image runs as, from :base
    const passwd = await execa("tar", ["-xOf", join(project.root, "buck-out/v2/gen/root/svc/__svc.tar__/svc.tar"), "./etc/passwd"]);
    expect(passwd.stdout).toMatch(/^app:x:\d+:\d+::\/srv\/app:\/usr\/sbin\/nologin$/m);
  }, 1_800_000);
});

describeBuck2("docs/service-image.md with real Buck2", () => {
  it("the page's `buck2 build` line builds the same bytes as the local driver's first build", async () => {
    const line = /^With Buck2, `(buck2 build [^`]+)`/m.exec(DOC);
    expect(line, "the page gives the buck2 build command").not.toBeNull();
    if (firstBuild === null) throw new Error("needs the local driver's build (the test above) first");
    const copy = makeCopy(copyProject("svc-buck2-"), await checkBuck2Works(), []);
    try {
      for (const [rel, text] of Object.entries(firstBuild.files)) copy.write(rel, text);
      const r = await copy.run(line![1]!.split(" ").slice(1));
      expect(r.exitCode, String(r.stderr)).toBe(0);
      const out = Outputs.parse(String(r.stdout), copy.root);
      for (const a of ARCHIVES) expect(sha256(out.of(`//svc:${a}`)), `${a}: Buck2's bytes and the local driver's`).toBe(firstBuild.digests[a]);
    } finally {
      await copy.run(["kill"]);
    }
  }, 1_800_000);
});
