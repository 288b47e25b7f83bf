// Under real Buck2 `mode = 644` is evaluated to the int 0o1204 before strata sees it (issue 19 item 2): `strata lint`
// is the guard that sees the literal; the rules still refuse the sticky bit it puts on a file, and a meant 0o4755
// builds.
import { realpathSync, lstatSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { expect, it } from "vitest";
import { describeBuck2, repoRoot, RULES_LOAD, useBuck2Project } from "./harness.js";

const DECIMAL = `${RULES_LOAD}image.layer(
    name = "decimal",
    features = [feature.install_text(text = "", dst = "/a", mode = 644)],
)
`;

// a package of its own: a failing BUCK file fails every target of its package
const OCTAL = `${RULES_LOAD}image.layer(
    name = "octal",
    features = [
        feature.ensure_dirs_exist(dirs = "/usr/bin"),
        feature.install_text(text = "#!/bin/sh\\n", dst = "/usr/bin/suid", mode = 0o4755),
        feature.ensure_dirs_exist(dirs = "/scratch", mode = 0o1777),
    ],
)
`;

describeBuck2("mode literals under real Buck2", () => {
  const project = useBuck2Project({ "m/BUCK": DECIMAL, "octal/BUCK": OCTAL });

  it("strata lint flags the literal Buck2 cannot see; the build refuses the sticky bit it sets on a file", async () => {
    const lint = await execa("node", [join(repoRoot, "bin/strata.mjs"), "lint", "m"], { cwd: project().root, reject: false });
    expect(lint.exitCode).toBe(1);
    expect(lint.stdout).toMatch(/^m\/BUCK:4:61: error: `mode = 644` is decimal, 0o1204, which sets the sticky bit; write 0o644/);
    const built = await project().run(["build", "//m:decimal"]);
    expect(built.exitCode).not.toBe(0);
    expect(String(built.stderr)).toContain("feature.install_text: attribute `mode` is 0o1204, which sets the sticky bit on a file");
    expect(String(built.stderr)).toMatch(/m\/BUCK:4\b/);
  });

  it("0o4755 on a file and 0o1777 on a directory build as written", async () => {
    const built = await project().run(["build", "//octal:octal", "--show-full-output"]);
    expect(built.exitCode, String(built.stderr)).toBe(0);
    const layer = realpathSync(String(built.stdout).trim().split(/\s+/)[1]!);
    expect((lstatSync(join(layer, "usr/bin/suid")).mode & 0o7777).toString(8)).toBe("4755");
    expect((lstatSync(join(layer, "scratch")).mode & 0o7777).toString(8)).toBe("1777");
  });
});
