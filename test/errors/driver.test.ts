// Issue 19 item 3 through the rules and the local driver: the runner's errors start at the user's `feature.*` call
// (in the BUCK file, in a feature.new group's BUCK file, in the user's macro), name the fix, and the failed action's
// argv is printed only with --verbose. (test/buck2/examples.test.ts checks Buck2 prints the same lines.)
import { describe, expect, it } from "vitest";
import { describeBtrfs } from "../helpers/volume.js";
import { newProject } from "../rules/project.js";

const LOAD = 'load("//rules:defs.bzl", "feature", "image")\n';

const FILES = {
  // an indented first line, and a macro file starting with a def: the local driver's own load() takes a line of
  // its own in both, and the places must still be the lines of the user's files
  "p/BUCK": `  # the service
${LOAD}load(":files.bzl", "app_files")

image.layer(
    name = "x",
    features = [
        feature.install_text(dst = "/opt/svc/app.conf", text = "x"),
        feature.ensure_dirs_exist(dirs = "/etc"), feature.install_text(dst = "/etc/app.conf", text = "x", group = "worker"),
        "//q:common",
        app_files(),
    ],
)
`,
  "p/files.bzl": `def app_files():
    return [
        feature.install_text(dst = "/srv/app/app.py", text = "print(1)\\n"),
    ]

${LOAD}`,
  "q/BUCK": `${LOAD}
feature.new(
    name = "common",
    features = [
        feature.install_text(dst = "/etc/app.conf", text = "other"),
    ],
    visibility = ["PUBLIC"],
)
`,
};

describe("errors of features under the local driver", () => {
  describeBtrfs("at the user's call", () => {
    it("each error starts with path:line:col at its feature's call and names the fix; argv only with --verbose", async () => {
      const p = newProject(FILES);
      const r = await p.local(["build", "//p:x"]);
      expect(r.exitCode).toBe(1);
      const stderr = String(r.stderr);
      const errors = stderr.split("\n").filter((l) => / ?error: /.test(l));
      expect(errors).toEqual([
        "error: root//p:x: 4 errors",
        // the conflict at the second provider (the group's feature, placed in q/BUCK), both placed in the notes
        "q/BUCK:6:9: error: root//p:x: /etc/app.conf is provided by 2 features in different ways",
        'p/BUCK:8:9: error: root//p:x: install_text(dst="/opt/svc/app.conf"): requires "/opt/svc" but nothing provides it',
        'p/BUCK:9:51: error: root//p:x: install_text(dst="/etc/app.conf"): requires group "worker" but nothing provides it',
        'p/files.bzl:3:9: error: root//p:x: install_text(dst="/srv/app/app.py"): requires "/srv/app" but nothing provides it',
      ]);
      expect(stderr).toContain('  install_text(dst="/etc/app.conf") provides file 0o444 owned by root:worker at p/BUCK:9:51');
      expect(stderr).toContain('  install_text(dst="/etc/app.conf") [root//q:common] provides file 0o444 owned by root:root at q/BUCK:6:9');
      expect(stderr).toContain('  fix:      feature.ensure_dirs_exist(dirs = "/opt/svc") in the same layer, or a parent_layer that has it');
      expect(stderr).toContain('  fix:      feature.group_add(groupname = "worker") in the same layer, or a parent_layer that has it');
      expect(stderr).toContain('  fix:      feature.ensure_dirs_exist(dirs = "/srv/app") in the same layer, or a parent_layer that has it');
      expect(stderr).toMatch(/^Action failed: root\/\/p:x \(strata_phase compile\): exit code 1$/m);
      expect(stderr).not.toContain("--features");
      expect(stderr.length).toBeLessThan(2500);

      const verbose = await p.local(["build", "//p:x", "--verbose"]);
      expect(verbose.exitCode).toBe(1);
      expect(String(verbose.stderr)).toMatch(/^ {2}command: \["node","bin\/strata\.mjs","phase",.*"--features",/m);
    }, 300_000);
  });
});
