// What a `strata compile` process loads: a one-file child's cost is mostly Node's start and the bundle's modules, so
// a dependency that only one feature's rare path needs (execa, for `apt-get` in the Debian resolver) is not among
// them. A real compile, with a resolve hook (module.register) recording every module the process loads.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { expect, it } from "vitest";
import { describeBtrfs, freshBtrfsDir, freshScratchDir } from "../helpers/volume.js";
import { base, strata, writeFeatures } from "./helpers.js";

describeBtrfs("strata compile's start", () => {
  it("loads the bundle's modules without execa, and compiles as before", async () => {
    const wv = freshBtrfsDir();
    const work = freshScratchDir();
    const log = join(work, "loaded.txt");
    const hooks = join(work, "hooks.mjs");
    writeFileSync(
      hooks,
      `import { appendFileSync } from "node:fs";\nexport async function resolve(s, c, next) { const r = await next(s, c); appendFileSync(${JSON.stringify(log)}, r.url + "\\n"); return r; }\n`,
    );
    const register = join(work, "register.mjs");
    writeFileSync(register, `import { register } from "node:module";\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
    const r = await strata(["compile", "--label", "//t:base", "--phase", "compile", "--features", writeFeatures(join(work, "base.json"), base("//t:base")), "--out", join(work, "base"), "--working-volume", wv], {
      env: { NODE_OPTIONS: `--import ${register}` },
    });
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    expect(readFileSync(join(work, "base", "etc/app/hello.txt"), "utf8")).toBe("hello\n");
    const loaded = [...new Set(readFileSync(log, "utf8").split("\n").filter((u) => u.startsWith("file:") && u.includes("/dist/bundle/")))];
    expect(loaded.some((u) => /\/compile-[A-Z0-9]+\.js$/.test(u)), loaded.join("\n")).toBe(true);
    const withExeca = loaded.filter((u) => readFileSync(new URL(u), "utf8").includes("// node_modules/execa/"));
    expect(withExeca).toEqual([]);
  });
});
