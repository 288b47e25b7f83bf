// Integer modes: the literal form decides, not the value (issue 19 item 2). Once evaluated, `mode = 644` is the int
// 0o1204; the local driver (where it reads a BUCK or .bzl file) and `strata lint` see the literal and refuse a
// decimal one, and every `0o` literal and string is built as written.
import { execa } from "execa";
import { spawnSync } from "node:child_process";
import { cpSync, lstatSync, mkdirSync, mkdtempSync, realpathSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { decimalModes } from "../../src/cli/mode-literals.js";
import { describeBtrfs } from "../helpers/volume.js";
import { newProject, outputOf, repoRoot, RULES_LOAD, type Project } from "../rules/project.js";

const strata = join(repoRoot, "bin/strata.mjs");
const DECIMALS = ["444", "400", "600", "640", "664", "700", "750", "644", "755", "775", "1777"];

/** A copy of strata's Buck2 files with the given files; evaluation errors need no working volume. */
function scratchProject(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "strata-mode-literals-"));
  for (const f of [".buckconfig", "BUCK", "prelude", "rules", "bin", "dist", "package.json"]) cpSync(join(repoRoot, f), join(dir, f), { recursive: true });
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

/** One feature per line (line 4 onwards), each with a decimal mode: files, and a directory for the last. */
function decimalsBuck(): string {
  const lines = DECIMALS.map((d, i) =>
    i === DECIMALS.length - 1 ? `    feature.ensure_dirs_exist(dirs = "/d", mode = ${d}),` : `    feature.install_text(text = "", dst = "/f${i}", mode = ${d}),`,
  );
  return `${RULES_LOAD}image.layer(name = "x", features = [\n${lines.join("\n")}\n])\n`;
}

/** The lines `path:line:col: error: ...` expected for decimalsBuck() at `path`, with `subject: ` after `error: `. */
function expectedLines(path: string, subject: string): string[] {
  const buck = decimalsBuck().split("\n");
  return DECIMALS.map((d) => {
    const line = buck.findIndex((l) => l.includes(`mode = ${d})`));
    const col = buck[line]!.indexOf("mode = ") + 1;
    return `${path}:${line + 1}:${col}: error: ${subject}${decimalModes(`mode = ${d}`)[0]!.message}`;
  });
}

/** Python's view (the local driver's pydriver/literals.py) of `src`: [line, col, text, message] per finding. */
function driverFindings(src: string): [number, number, string, string][] {
  const script = "import json, sys; from pydriver.literals import decimal_modes; print(json.dumps([[d.line, d.col, d.text, d.message] for d in decimal_modes(sys.stdin.read())]))";
  const r = spawnSync("python3", ["-c", script], { input: src, encoding: "utf8", env: { ...process.env, PYTHONPATH: join(repoRoot, "packages/buck2-local/starlark") } });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as [number, number, string, string][];
}

// Comments, strings (plain, raw, long), a keyword and its value on two lines, `==`, attribute access, and the
// literal forms that are taken as written
const TRICKY = `load(":x.bzl", "f")  # mode = 644
f(mode = 0o644, other = "mode = 755", third = 'mode = 700')
f(mode = 1777)  # "mode = 600"
f(
    mode =
        640,
)
"""
mode = 444
"""
x = r"mode = 400\\\\" + 'and mode = 664'
def g(mode = 750):
    if mode == 755:
        return x.mode
f(mode = 0x1ed, b = 0b1, c = 7, d = 0, e = "0644", g = mode)
f(mode = 493)
f(mode = 9999)
y = {"mode": 644}
f(mode = # a comment between
    # and another
    600)
`;

describe("decimal mode literals, seen where the source is read", () => {
  it("the runner's tokenizer and the local driver's find the same literals, at the same places, in the same words", () => {
    const ts = decimalModes(TRICKY).map((d) => [d.line, d.col, d.text, d.message]);
    expect(ts.map(([line, col, text]) => `${line}:${col} ${text}`)).toEqual(["3:3 1777", "5:5 640", "12:7 750", "16:3 493", "17:3 9999", "19:3 600"]);
    expect(driverFindings(TRICKY)).toEqual(ts);
    const each = DECIMALS.map((d) => `f(mode = ${d})\n`).join("");
    expect(driverFindings(each)).toEqual(decimalModes(each).map((d) => [d.line, d.col, d.text, d.message]));
  });

  it("today's message: what the literal is in octal, the octal to write, and the string form if the bits are meant", () => {
    const message = (d: string): string => decimalModes(`mode = ${d}`)[0]!.message;
    expect(message("644")).toBe('`mode = 644` is decimal, 0o1204, which sets the sticky bit; write 0o644 for the permissions in octal, or give the mode as a string ("1204") if the sticky bit is meant');
    expect(message("444")).toBe('`mode = 444` is decimal, 0o674 (rw-rwxr--); write 0o444 for the permissions in octal, or give the mode as a string ("674") if rw-rwxr-- is meant');
    expect(message("1777")).toContain("is decimal, 0o3361, which sets the setgid/sticky bits; write 0o1777 for the permissions in octal");
    expect(message("493")).toContain("is decimal, 0o755 (rwxr-xr-x); write 0o755");
    expect(message("9999")).toContain("above 0o7777");
    for (const d of DECIMALS) expect(message(d)).toContain(`write 0o${d} for the permissions in octal`);
  });

  it("the local driver refuses every decimal literal, each at its line, before evaluating the file", async () => {
    const dir = scratchProject({ "p/BUCK": decimalsBuck() });
    const r = await execa("node", [strata, "local", "build", "//p:x"], { cwd: dir, reject: false });
    expect(r.exitCode).toBe(1);
    expect(r.stderr.split("\n").filter((l) => l.includes("error:"))).toEqual(expectedLines("p/BUCK", "root//p: "));
  });

  it("the local driver refuses one in a .bzl file, at that file's line", async () => {
    const dir = scratchProject({
      "p/BUCK": `${RULES_LOAD}load(":modes.bzl", "tool")\nimage.layer(name = "x", features = [tool("/usr/bin/t")])\n`,
      "p/modes.bzl": `load("//rules:defs.bzl", "feature")\n\ndef tool(dst, mode = 755):\n    return feature.install_text(text = "", dst = dst, mode = mode)\n`,
    });
    const r = await execa("node", [strata, "local", "build", "//p:x"], { cwd: dir, reject: false });
    expect(r.exitCode).toBe(1);
    expect(r.stderr.split("\n")[0]).toBe(`p/modes.bzl:3:15: error: root//p/modes.bzl: ${decimalModes("mode = 755")[0]!.message}`);
  });

  it("at run time, an int with the sticky bit on a file (never meant: Linux ignores it) is refused, as most decimals show", async () => {
    const dir = scratchProject({ "p/BUCK": `${RULES_LOAD}M = int("644")\nimage.layer(name = "x", features = [\n    feature.install_text(text = "", dst = "/a", mode = M),\n])\n` });
    const r = await execa("node", [strata, "local", "build", "//p:x"], { cwd: dir, reject: false });
    expect(r.exitCode).toBe(1);
    expect(r.stderr.split("\n")[0]).toBe(
      "p/BUCK:4:5: error: root//p: feature.install_text: attribute `mode` is 0o1204, which sets the sticky bit on a file (Linux ignores it there, so it is never meant): " +
        "`mode = 644` is a decimal number written for octal; write 0o644 (`strata lint` finds decimal modes in BUCK and .bzl files)",
    );
  });

  it("strata lint: `path:line:col: error:` for each, exit 1; exit 0 on files without one, and on this repository", async () => {
    const dir = scratchProject({ "p/BUCK": decimalsBuck(), "ok/BUCK": `${RULES_LOAD}image.layer(name = "y", features = [feature.install_text(text = "", dst = "/y", mode = 0o4755)])\n`, "ok/defs.bzl": TRICKY.split("\n").slice(0, 2).join("\n") + "\n" });
    const all = await execa("node", [strata, "lint"], { cwd: join(dir, "p"), reject: false });
    expect(all.exitCode).toBe(1);
    expect(all.stdout.split("\n")).toEqual(expectedLines("BUCK", ""));
    expect(all.stderr).toBe(`error: strata lint: ${DECIMALS.length} \`mode =\` literals written in decimal (listed above)`);
    const given = await execa("node", [strata, "lint", "p", "ok"], { cwd: dir, reject: false });
    expect(given.exitCode).toBe(1);
    expect(given.stdout.split("\n")).toEqual(expectedLines("p/BUCK", ""));
    const bzl = await execa("node", [strata, "lint", "."], { cwd: dir, reject: false });
    expect(bzl.stdout.split("\n")).toEqual(expectedLines("p/BUCK", ""));
    const ok = await execa("node", [strata, "lint", "ok/BUCK", "ok/defs.bzl"], { cwd: dir, reject: false });
    expect([ok.exitCode, ok.stdout]).toEqual([0, ""]);
    // the project's own BUCK and .bzl files: a run in the test suite, so CI lints the repository too
    const repo = await execa("node", [strata, "lint"], { cwd: repoRoot, reject: false });
    expect([repo.exitCode, repo.stdout, repo.stderr]).toEqual([0, "", ""]);
    const missing = await execa("node", [strata, "lint", "nothere"], { cwd: dir, reject: false });
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr.split("\n")[0]).toBe("error: strata lint: no such file or directory: nothere");
    expect(missing.stderr).not.toMatch(/^\s+at /m);
  });
});

const ACCEPTED = `${RULES_LOAD}image.layer(
    name = "modes",
    features = [
        feature.ensure_dirs_exist(dirs = "/usr/bin"),
        feature.install_text(text = "#!/bin/sh\\n", dst = "/usr/bin/suid", mode = 0o4755),
        feature.install_text(text = "#!/bin/sh\\n", dst = "/usr/bin/sgid", mode = 0o2755),
        feature.ensure_dirs_exist(dirs = "/scratch", mode = 0o1777),
        feature.install_text(text = "ro\\n", dst = "/usr/bin/ro", mode = 0o444),
        feature.install_text(text = "s\\n", dst = "/usr/bin/symbolic", mode = "u=rw,go=r"),
        feature.install_text(text = "s\\n", dst = "/usr/bin/suid-string", mode = "4755"),
        feature.install(src = "a.txt", dst = "/usr/bin/installed", mode = 0o640),
        feature.install(src = "a.txt", dst = "/usr/bin/small", mode = 7),
    ],
)
`;

describeBtrfs("mode literals the driver accepts are built as written", () => {
  let project: Project;
  beforeAll(() => {
    project = newProject({ "m/BUCK": ACCEPTED, "m/a.txt": "a\n" });
  });

  it("0o4755, 0o2755, 0o1777 on a directory, 0o444, 0o640, 7 and strings", async () => {
    const layer = realpathSync(outputOf(await project.build(["//m:modes"]), "//m:modes"));
    const mode = (p: string): string => "0o" + (lstatSync(join(layer, p)).mode & 0o7777).toString(8);
    expect({
      suid: mode("usr/bin/suid"),
      sgid: mode("usr/bin/sgid"),
      scratch: mode("scratch"),
      ro: mode("usr/bin/ro"),
      symbolic: mode("usr/bin/symbolic"),
      suidString: mode("usr/bin/suid-string"),
      installed: mode("usr/bin/installed"),
      small: mode("usr/bin/small"),
    }).toEqual({ suid: "0o4755", sgid: "0o2755", scratch: "0o1777", ro: "0o444", symbolic: "0o644", suidString: "0o4755", installed: "0o640", small: "0o7" });
    expect(lstatSync(join(layer, "scratch")).isDirectory()).toBe(true);
  });
});
