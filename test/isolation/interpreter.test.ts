// Issue 9 item 12: an image test, a shell (`[container]`) or a genrule on a layer without the program's interpreter
// says which interpreter (or dynamic loader) is missing from the layer, not bwrap's "execvp <script>: No such file".
import { beforeAll, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describeBtrfs, freshBtrfsDir } from "../helpers/volume.js";
import { base, strata, writeFeatures } from "../runner/helpers.js";
import { elfInterpreter } from "../../src/isolation/command.js";
import { phaseOf } from "../helpers/phase.js";

let dir: string;
let wv: string;
let noShell: string;

async function compile(name: string, features: object[], parent?: string): Promise<{ exitCode: number; stderr: string; out: string }> {
  const out = join(dir, `${name}.out`);
  const args = ["compile", "--label", `//t:${name}`, "--phase", phaseOf(features), "--features", writeFeatures(join(dir, `${name}.json`), features), "--out", out, "--working-volume", wv];
  if (parent !== undefined) args.push("--parent", parent);
  const r = await strata(args);
  return { exitCode: r.exitCode ?? -1, stderr: String(r.stderr), out };
}

describeBtrfs("a command whose interpreter is not in the layer", () => {
  beforeAll(async () => {
    dir = freshBtrfsDir("interp-");
    wv = join(dir, "wv");
    // users and groups, but no /bin/sh and no dynamic loader
    const r = await compile("noshell", base("//t:noshell"));
    expect(r.stderr).toBe("");
    noShell = r.out;
  });

  it("image test with an executable #!/bin/sh script names the missing interpreter", async () => {
    const script = join(dir, "t.sh");
    writeFileSync(script, "#!/bin/sh\nexit 0\n", { mode: 0o755 });
    const r = await strata(["image-test", "--layer", noShell, "--test", script, "--label", "//t:test"]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^error: \/\/t:test: cannot run \/run\/strata-test\/t\.sh: its interpreter \/bin\/sh \(from its #! line\) is missing from the layer/);
    expect(r.stderr).not.toMatch(/execvp|bwrap/);
  });

  it("image test with a script that is not executable (run through /bin/sh) names /bin/sh", async () => {
    const script = join(dir, "plain.sh");
    writeFileSync(script, "exit 0\n", { mode: 0o644 });
    const r = await strata(["image-test", "--layer", noShell, "--test", script, "--label", "//t:test"]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^error: \/\/t:test: cannot run \/bin\/sh: it is missing from the layer/);
  });

  it("a shell ([container]) names /bin/sh", async () => {
    const r = await strata(["shell", "--layer", noShell, "--label", "//t:noshell"]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/^error: \/\/t:noshell: cannot run \/bin\/sh: it is missing from the layer/);
  });

  it("a command looked up on PATH that is nowhere on it", async () => {
    const r = await strata(["shell", "--layer", noShell, "--label", "//t:noshell", "--", "ls"]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/cannot run ls: it is in none of the layer's PATH directories/);
  });

  it("a genrule names the missing interpreter and publishes nothing", async () => {
    const r = await compile("gen", [{ type: "genrule", label: "//t:gen", cmd: ["/bin/sh", "-c", "true"], user: "root" }], noShell);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/cannot run \/bin\/sh: it is missing from the layer/);
  });

  it("a dynamically linked program names its missing dynamic loader", async () => {
    const loader = elfInterpreter("/usr/bin/env");
    expect(loader).toMatch(/^\/lib.*ld-linux.*\.so/);
    const withEnv = await compile("withenv", [{ type: "ensure_dirs_exist", label: "//t:withenv", dirs: "/usr/bin" }, { type: "install", label: "//t:withenv", src: "/usr/bin/env", dst: "/usr/bin/env", mode: 0o755 }], noShell);
    expect(withEnv.stderr).toBe("");
    const r = await strata(["shell", "--layer", withEnv.out, "--label", "//t:withenv", "--", "/usr/bin/env"]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`cannot run /usr/bin/env: its dynamic loader ${loader} is missing from the layer`);
  });
});
