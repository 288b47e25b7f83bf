// Portable phases (src/portable): a phase's diff, record and key are the same bytes whether it ran in the working
// volume (btrfs) or in a scratch directory of plain copies, and a materialisation of them in another volume is the
// same tree with the same facts as the layer the phase built.
import { describe, expect, it } from "vitest";
import { lstatSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { busyboxDeb } from "../isolation/busybox-root.js";
import { debDataTar } from "../../src/debian/extract.js";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { describeBtrfs, freshBtrfsDir, freshScratchDir } from "../helpers/volume.js";
import { phaseOf } from "../helpers/phase.js";
import { base, listTree, strata, writeFeatures } from "../runner/helpers.js";

interface Built {
  key: string;
  diff: string;
  record: string;
}

const chain: { name: string; features: object[] }[] = [
  {
    name: "base",
    features: [
      ...base("//t:base"),
      { type: "install_text", label: "//t:base", text: "bye\n", dst: "/etc/app/other.txt" },
      { type: "ensure_dirs_exist", label: "//t:base", dirs: "/var/lib/app/data" },
      { type: "install_text", label: "//t:base", text: "x\n", dst: "/var/lib/app/data/x" },
    ],
  },
  {
    name: "edit",
    features: [
      { type: "install_text", label: "//t:edit", text: "hello again\n", dst: "/etc/app/new.txt", mode: 0o640, xattrs: { "user.note": "kept" } },
      { type: "ensure_file_symlink", label: "//t:edit", link: "/etc/app/link", target: "/etc/app/hello.txt" },
      { type: "hardlink", label: "//t:edit", link: "/etc/app/hello.hard", target: "/etc/app/hello.txt" },
    ],
  },
  {
    name: "prune",
    features: [
      { type: "remove", label: "//t:prune", path: "/etc/app/other.txt" },
      { type: "remove", label: "//t:prune", path: "/var/lib/app" },
    ],
  },
];

async function runPhase(work: string, tag: string, i: number, ancestors: Built[], extra: string[], env: Record<string, string> = {}): Promise<Built> {
  const { name, features } = chain[i]!;
  const out = { key: join(work, `${tag}-${name}.key`), diff: join(work, `${tag}-${name}.tar`), record: join(work, `${tag}-${name}.json`) };
  const r = await strata(
    [
      "phase",
      "--label",
      `//t:${name}`,
      "--phase",
      phaseOf(features),
      "--features",
      writeFeatures(join(work, `${name}.features.json`), features),
      ...ancestors.flatMap((a) => ["--ancestor", `${a.key},${a.diff},${a.record}`]),
      "--diff-out",
      out.diff,
      "--record-out",
      out.record,
      "--key-out",
      out.key,
      ...extra,
    ],
    { env: { SOURCE_DATE_EPOCH: "1700000000", ...env } },
  );
  expect(r.stderr).toBe("");
  expect(r.exitCode).toBe(0);
  return out;
}

async function buildChain(work: string, tag: string, extra: string[], env: Record<string, string> = {}): Promise<Built[]> {
  const built: Built[] = [];
  for (let i = 0; i < chain.length; i++) built.push(await runPhase(work, tag, i, built, extra, env));
  return built;
}

async function materialiseAll(work: string, built: Built[], wv: string, tag: string): Promise<string[]> {
  const outs: string[] = [];
  for (let i = 0; i < built.length; i++) {
    const out = join(work, `${tag}-m${i}`);
    const parent = i > 0 ? ["--parent", outs[i - 1]!, "--parent-key", built[i - 1]!.key] : [];
    const r = await strata(["materialise", "--label", `//t:${chain[i]!.name}`, "--key", built[i]!.key, "--diff", built[i]!.diff, "--record", built[i]!.record, ...parent, "--out", out, "--working-volume", wv]);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    outs.push(out);
  }
  return outs;
}

const bytesOf = (b: Built): string[] => [readFileSync(b.key, "utf8"), readFileSync(b.diff).toString("base64"), readFileSync(b.record, "utf8")];

function xattrsOf(root: string): string {
  return execFileSync("getfattr", ["-R", "-h", "-d", "-m", "-", "--absolute-names", "."], { cwd: root, encoding: "utf8" });
}

describeBtrfs("portable phases", () => {
  it("materialises in another volume the same trees and facts, and the same bytes come from a scratch store", { timeout: 120_000 }, async () => {
    const work = freshScratchDir("portable-");
    const volumeA = freshBtrfsDir("pa-");
    const built = await buildChain(work, "a", ["--working-volume", volumeA, "--store", "volume"]);

    // what the diffs hold: only what each phase changed
    const tarList = (f: string): string[] => execFileSync("tar", ["-tf", f], { encoding: "utf8" }).trim().split("\n");
    // (/etc/app itself is not there: its mtime went back to SOURCE_DATE_EPOCH, as its parent's was)
    expect(tarList(built[1]!.diff)).toEqual(["etc/app/hello.hard", "etc/app/hello.txt", "etc/app/link", "etc/app/new.txt"]);
    expect(tarList(built[2]!.diff)).toEqual(["etc/app/.wh.other.txt", "var/lib/.wh.app"]);

    // the phases' own trees in volume A (materialise finds them by key) against a materialisation in volume B
    const inA = await materialiseAll(work, built, volumeA, "a");
    const volumeB = freshBtrfsDir("pb-");
    const inB = await materialiseAll(work, built, volumeB, "b");
    for (let i = 0; i < built.length; i++) {
      expect(listTree(inB[i]!, false)).toEqual(listTree(inA[i]!, false));
      expect(xattrsOf(inB[i]!)).toEqual(xattrsOf(inA[i]!));
      const facts = async (out: string): Promise<string> => {
        const f = join(work, `facts-${Math.random()}.json`);
        const r = await strata(["facts", "--label", "//t:x", "--layer", out, "--out", f]);
        expect(r.exitCode).toBe(0);
        return readFileSync(f, "utf8");
      };
      expect(await facts(inB[i]!)).toEqual(await facts(inA[i]!));
    }
    expect(xattrsOf(inB[1]!)).toContain("user.note");

    // the same chain built again, and built in scratch stores of plain copies: the same bytes
    const again = await buildChain(work, "again", ["--working-volume", freshBtrfsDir("pc-"), "--store", "volume"]);
    const scratch = await buildChain(work, "scratch", ["--store", "scratch"]);
    for (let i = 0; i < built.length; i++) {
      expect(bytesOf(again[i]!)).toEqual(bytesOf(built[i]!));
      expect(bytesOf(scratch[i]!)).toEqual(bytesOf(built[i]!));
    }
    for (const wv of [volumeA, volumeB]) await strata(["clean", "--working-volume", wv]);
  });

  it("refuses a diff that does not match its key, and publishes nothing", { timeout: 60_000 }, async () => {
    const work = freshScratchDir("portable-bad-");
    const built = await buildChain(work, "a", ["--store", "scratch"]);
    const wv = freshBtrfsDir("pd-");
    const [m0] = await materialiseAll(work, built.slice(0, 1), wv, "ok");
    const record = JSON.parse(readFileSync(built[1]!.record, "utf8"));
    record.root.mode = 0o700;
    writeFileSync(built[1]!.record, JSON.stringify(record));
    const out = join(work, "bad");
    const r = await strata(["materialise", "--label", "//t:edit", "--key", built[1]!.key, "--diff", built[1]!.diff, "--record", built[1]!.record, "--parent", m0!, "--parent-key", built[0]!.key, "--out", out, "--working-volume", wv]);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/^error: .*do not match their key/m);
    expect(r.stderr).toContain("//t:edit");
    expect(() => readFileSync(out)).toThrow();
    await strata(["clean", "--working-volume", wv]);
  });
});

describeBtrfs("portable phases and hard links", () => {
  it("a hard-linked file of the parent changed in place by a genrule: every link carries the change, on btrfs and in scratch", { timeout: 180_000 }, async () => {
    const work = freshScratchDir("portable-links-");
    const tar = join(work, "busybox.tar");
    writeFileSync(tar, await debDataTar(await busyboxDeb()));
    const steps = [
      [
        { type: "tarball", label: "//t:bb", src: tar, into_dir: "/" },
        { type: "ensure_dirs_exist", label: "//t:bb", dirs: "/data" },
        { type: "ensure_dirs_exist", label: "//t:bb", dirs: "/etc" },
        { type: "install_text", label: "//t:bb", text: "root:x:0:0:root:/root:/bin/sh\n", dst: "/etc/passwd", mode: 0o644, user: 0, group: 0 },
        { type: "install_text", label: "//t:bb", text: "root:x:0:\n", dst: "/etc/group", mode: 0o644, user: 0, group: 0 },
        { type: "install_text", label: "//t:bb", text: "one\n", dst: "/data/a", mode: 0o644 },
        { type: "hardlink", label: "//t:bb", link: "/data/b", target: "/data/a" },
      ],
      [{ type: "genrule", label: "//t:grow", cmd: ["/bin/busybox", "sh", "-c", "echo two >> /data/a"], user: "root" }],
    ];
    const run = async (tag: string, extra: string[]): Promise<Built[]> => {
      const built: Built[] = [];
      for (const [i, features] of steps.entries()) {
        const out = { key: join(work, `${tag}${i}.key`), diff: join(work, `${tag}${i}.tar`), record: join(work, `${tag}${i}.json`) };
        const r = await strata(
          ["phase", "--label", `//t:l${i}`, "--phase", phaseOf(features), "--features", writeFeatures(join(work, `f${i}.json`), features), ...built.flatMap((a) => ["--ancestor", `${a.key},${a.diff},${a.record}`]), "--diff-out", out.diff, "--record-out", out.record, "--key-out", out.key, ...extra],
          { env: { SOURCE_DATE_EPOCH: "1700000000" } },
        );
        expect(r.exitCode, r.stderr).toBe(0);
        built.push(out);
      }
      return built;
    };
    const wv = freshBtrfsDir("pl-");
    const onBtrfs = await run("v", ["--working-volume", wv, "--store", "volume"]);
    const inScratch = await run("s", ["--store", "scratch"]);
    for (let i = 0; i < steps.length; i++) expect(bytesOf(inScratch[i]!)).toEqual(bytesOf(onBtrfs[i]!));
    const other = freshBtrfsDir("pm-");
    const outs: string[] = [];
    for (let i = 0; i < onBtrfs.length; i++) {
      const parent = i > 0 ? ["--parent", outs[i - 1]!, "--parent-key", onBtrfs[i - 1]!.key] : [];
      const out = join(work, `m${i}`);
      const r = await strata(["materialise", "--label", `//t:l${i}`, "--key", onBtrfs[i]!.key, "--diff", onBtrfs[i]!.diff, "--record", onBtrfs[i]!.record, ...parent, "--out", out, "--working-volume", other]);
      expect(r.exitCode, r.stderr).toBe(0);
      outs.push(out);
    }
    const top = outs[1]!;
    expect(readFileSync(join(top, "data/b"), "utf8")).toBe("one\ntwo\n");
    // the materialisation is the very tree the genrule phase left (found by key in the first volume)
    const own = join(work, "own");
    const r = await strata(["materialise", "--label", "//t:l1", "--key", onBtrfs[1]!.key, "--diff", onBtrfs[1]!.diff, "--record", onBtrfs[1]!.record, "--out", own, "--working-volume", wv, "--parent", outs[0]!, "--parent-key", onBtrfs[0]!.key]);
    expect(r.exitCode, r.stderr).toBe(0);
    expect(listTree(top, false)).toEqual(listTree(own, false));
    expect(lstatSync(join(top, "data/a")).ino).toBe(lstatSync(join(top, "data/b")).ino);
    for (const v of [wv, other]) await strata(["clean", "--working-volume", v]);
  });
});

describeBtrfs("portable phases and gc", () => {
  it("a layer held only by its chain entry is collected with the entry; one a build output holds keeps it", { timeout: 60_000 }, async () => {
    const work = freshScratchDir("portable-gc-");
    const wv = freshBtrfsDir("pg-");
    const built = await buildChain(work, "a", ["--working-volume", wv, "--store", "volume"]);
    // the first layer also becomes a build output; the other two stay chain entries only
    const [out0] = await materialiseAll(work, built.slice(0, 1), wv, "m");
    const chains = (): string[] => readdirSync(join(wv, "chains")).sort();
    const keys = built.map((b) => readFileSync(b.key, "utf8").trim());
    expect(chains()).toEqual([...keys].sort());
    const gc = await strata(["gc", "--working-volume", wv, "--grace-seconds", "0"]);
    expect(gc.exitCode, gc.stderr).toBe(0);
    expect(chains()).toEqual([keys[0]]);
    expect(listTree(out0!, false).length).toBeGreaterThan(3);
    await strata(["clean", "--working-volume", wv]);
  });
});

describe("portable phase arguments", () => {
  it("says what --ancestor takes", async () => {
    const work = freshScratchDir("portable-args-");
    const r = await strata(["phase", "--label", "//t:x", "--phase", "compile", "--features", writeFeatures(join(work, "f.json"), []), "--ancestor", "a,b", "--diff-out", join(work, "d"), "--record-out", join(work, "r"), "--key-out", join(work, "k"), "--store", "scratch"]);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/^error: .*--ancestor takes KEY,DIFF,RECORD/m);
  });
});
