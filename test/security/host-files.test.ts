// Issue 9 item 1: a symlink in the image must never lead the runner onto a host file, whether it writes, times or
// reads. Each parent layer plants one hostile link (absolute or relative; on an intermediate component, /etc, or on
// the leaf, /etc/passwd) pointing at a host directory that holds passwd, group, shadow and gshadow with old
// times. Every phase the runner runs on top (time normalisation, passwd editing, a genrule and its facts diff,
// writes, removals, clone, tarball, image tests, shell) must leave those host files exactly as they were:
// contents, mode, owner, inode, atime, mtime and ctime (which any chmod, chown or utimes would move).
import { beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { closeSync, constants, lstatSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describeBtrfs, freshBtrfsDir, freshScratchDir } from "../helpers/volume.js";
import { strata, writeFeatures } from "../runner/helpers.js";
import { makeBusyboxRoot } from "../isolation/busybox-root.js";

const NAMES = ["passwd", "group", "shadow", "gshadow"];
const OLD_ATIME = 1111111111;
const OLD_MTIME = 1222222222;

/** a host directory like the issue's /tmp/c: files with old times, so that even a read (relatime) would show */
function makeCanary(): string {
  const dir = realpathSync(freshScratchDir("canary-"));
  for (const n of NAMES) {
    writeFileSync(join(dir, n), `host ${n} line\n`, { mode: 0o640 });
    utimesSync(join(dir, n), OLD_ATIME, OLD_MTIME);
  }
  utimesSync(dir, OLD_ATIME, OLD_MTIME);
  return dir;
}

/** everything about the canary, read without moving an atime (lstat, and O_NOATIME for contents) */
function canaryState(dir: string): string[] {
  const out: string[] = [];
  for (const p of [dir, ...NAMES.map((n) => join(dir, n))]) {
    const st = lstatSync(p);
    let line = `${p} mode=${st.mode.toString(8)} owner=${st.uid}:${st.gid} ino=${st.ino} size=${st.size} atime=${st.atimeMs} mtime=${st.mtimeMs} ctime=${st.ctimeMs}`;
    if (st.isFile()) {
      const fd = openSync(p, constants.O_RDONLY | constants.O_NOATIME);
      try {
        line += " " + JSON.stringify(readFileSync(fd, "utf8"));
      } finally {
        closeSync(fd);
      }
    }
    out.push(line);
  }
  return out;
}

describeBtrfs("security: the runner never writes, times or reads a host file through a symlink of the image", () => {
  let dir: string;
  let wv: string;
  let canary: string;
  let before: string[];
  let n = 0;

  async function compile(features: object[], parent?: string): Promise<{ exitCode: number; stderr: string; out: string }> {
    const name = `l${n++}`;
    const out = join(dir, `${name}.out`);
    const args = ["compile", "--label", `//sec:${name}`, "--phase", "compile", "--features", writeFeatures(join(dir, `${name}.json`), features), "--out", out, "--working-volume", wv];
    if (parent !== undefined) args.push("--parent", parent);
    const r = await strata(args);
    return { exitCode: r.exitCode ?? -1, stderr: String(r.stderr), out };
  }

  beforeAll(async () => {
    dir = freshBtrfsDir("hostfiles-");
    wv = join(dir, "wv");
    canary = makeCanary();
    before = canaryState(canary);
  });

  it("the issue's reproduction: ensure_dirs_exist(<host dir>) and ensure_dir_symlink(/etc -> <host dir>) leave the host files' times alone", async () => {
    const L = "//sec:repro";
    const r = await compile([
      { type: "ensure_dirs_exist", label: L, dirs: canary },
      { type: "ensure_dir_symlink", label: L, link: "/etc", target: canary },
    ]);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    expect(canaryState(canary)).toEqual(before);
    // and a child phase on top of it (times normalised again, passwd read for owners)
    const c = await compile([{ type: "install_text", label: L, text: "x\n", dst: "/etc/motd", user: "root", group: "root" }], r.out);
    expect(c.stderr).toBe("");
    expect(canaryState(canary)).toEqual(before);
  });

  /** a busybox image whose /etc, or whose /etc/<name> files, are hostile links; the image's own copies sit at <root><canary> */
  const variants: [string, (tree: string) => void][] = [
    [
      "absolute link on an intermediate component (/etc -> host dir)",
      (tree) => {
        mkdirSync(join(tree, canary, ".."), { recursive: true });
        renameSync(join(tree, "etc"), join(tree, canary));
        symlinkSync(canary, join(tree, "etc"));
      },
    ],
    [
      "relative link on an intermediate component (/etc -> ../../../..<host dir>)",
      (tree) => {
        mkdirSync(join(tree, canary, ".."), { recursive: true });
        renameSync(join(tree, "etc"), join(tree, canary));
        symlinkSync("../../../../../../../.." + canary, join(tree, "etc"));
      },
    ],
    [
      "absolute links on the leaf (/etc/passwd -> host file)",
      (tree) => {
        mkdirSync(join(tree, canary), { recursive: true });
        for (const n of NAMES) {
          writeFileSync(join(tree, canary, n), n === "passwd" || n === "group" ? readFileSync(join(tree, "etc", n)) : "");
          try {
            renameSync(join(tree, "etc", n), join(tree, "etc", `${n}.orig`));
          } catch {
            /* shadow files do not exist in the busybox root */
          }
          symlinkSync(join(canary, n), join(tree, "etc", n));
        }
      },
    ],
    [
      "relative links on the leaf (/etc/passwd -> ../../../..<host file>)",
      (tree) => {
        for (const n of NAMES) {
          try {
            renameSync(join(tree, "etc", n), join(tree, "etc", `${n}.orig`));
          } catch {
            /* shadow files do not exist in the busybox root */
          }
          symlinkSync("../../../../../../../.." + join(canary, n), join(tree, "etc", n));
        }
      },
    ],
  ];

  describe.each(variants)("%s", (vname, plant) => {
    let parent: string;
    let script: string;

    beforeAll(async () => {
      const tree = join(dir, `tree-${variants.findIndex(([v]) => v === vname)}`);
      mkdirSync(tree);
      await makeBusyboxRoot(tree);
      plant(tree);
      const tar = `${tree}.tar`;
      execFileSync("tar", ["-c", "--numeric-owner", "-C", tree, "-f", tar, "."]);
      const r = await compile([{ type: "tarball", label: "//sec:parent", src: tar, into_dir: "/" }]);
      expect(r.stderr).toBe("");
      expect(r.exitCode).toBe(0);
      parent = r.out;
      script = join(dir, "test.sh");
      writeFileSync(script, "cat /etc/passwd /etc/group >/dev/null 2>&1; exit 0\n", { mode: 0o755 });
      expect(canaryState(canary)).toEqual(before);
    });

    const L = "//sec:child";
    const phases: [string, () => object[]][] = [
      ["time normalisation after a plain write", () => [{ type: "install_text", label: L, text: "m\n", dst: "/marker" }]],
      ["a write below /etc", () => [{ type: "install_text", label: L, text: "m\n", dst: "/etc/motd" }]],
      ["passwd and group editing (group_add, user_add)", () => [{ type: "group_add", label: L, groupname: "g1" }, { type: "user_add", label: L, username: "u1", primary_group: "g1", home_dir: "/", shell: "/bin/sh" }]],
      ["a genrule (facts diff by walking, whole-tree times)", () => [{ type: "genrule", label: L, cmd: ["/bin/sh", "-c", "cat /etc/passwd >/dev/null 2>&1; echo x > /fromgenrule"], user: "root" }]],
      ["ensure_dirs_exist below /etc", () => [{ type: "ensure_dirs_exist", label: L, dirs: "/etc/sub/deeper" }]],
      ["remove /etc/passwd", () => [{ type: "remove", label: L, path: "/etc/shadow", must_exist: false }]],
      ["clone of /etc/passwd out of the parent", () => [{ type: "clone", label: L, src_layer: parent, src_path: "/etc/passwd", dst_path: "/copied" }]],
      ["clone into /etc", () => [{ type: "clone", label: L, src_layer: parent, src_path: "/bin/busybox", dst_path: "/etc/busybox" }]],
      ["an owner lookup (install with user and group names)", () => [{ type: "install_text", label: L, text: "o\n", dst: "/owned", user: "root", group: "root" }]],
    ];

    it.each(phases)("%s", async (_p, features) => {
      const r = await compile(features(), parent);
      // done inside the image, or refused with a user error (a genrule's own output may come first)
      expect({ exitCode: r.exitCode, error: /^error: /m.test(r.stderr) }).toEqual(r.exitCode === 0 ? { exitCode: 0, error: false } : { exitCode: 1, error: true });
      expect(canaryState(canary)).toEqual(before);
    });

    it("an image test and a shell", async () => {
      const t = await strata(["image-test", "--layer", parent, "--test", script, "--user", "root", "--label", "//sec:t"]);
      expect([0, 1], String(t.stderr)).toContain(t.exitCode);
      expect(canaryState(canary)).toEqual(before);
      const s = await strata(["shell", "--layer", parent, "--user", "root", "--label", "//sec:s", "--", "/bin/sh", "-c", "cat /etc/passwd >/dev/null"]);
      expect([0, 1], String(s.stderr)).toContain(s.exitCode);
      expect(canaryState(canary)).toEqual(before);
    });
  });
});
