// Compiling the same features twice gives byte-identical trees: contents, modes, owners, mtimes, link texts.
import { describe, expect, it } from "vitest";
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freshScratchDir } from "../helpers/volume.js";
import { parseFeatures } from "../../src/features/registry.js";
import { planPhase } from "../../src/depgraph/index.js";
import { analyzeCtx, compileCtx, seedImage } from "./context.js";
import { baseFacts } from "../depgraph/facts-fixture.js";

function snapshot(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    const host = join(root, rel);
    const st = lstatSync(host);
    const body = st.isFile() ? readFileSync(host, "utf8") : st.isSymbolicLink() ? `-> ${readlinkSync(host)}` : "";
    out.push(`${rel || "/"} ${(st.mode & 0o170000).toString(8)} ${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid} ${st.mtimeMs} ${body}`);
    if (st.isDirectory()) for (const n of readdirSync(host).sort()) walk(`${rel}/${n}`);
  };
  walk("");
  return out;
}

describe("determinism", () => {
  it("two compiles produce identical trees", async () => {
    const project = freshScratchDir("proj-");
    mkdirSync(join(project, "tree/sub"), { recursive: true });
    writeFileSync(join(project, "tree/sub/f"), "f");
    const L = "//img:det";
    const features = parseFeatures(
      [
        { type: "ensure_dirs_exist", dirs: "/opt/app/data" },
        { type: "group_add", groupname: "app" },
        { type: "user_add", username: "app", primary_group: "app", home_dir: "/opt/app", shell: "/bin/sh" },
        { type: "install_text", text: "x", dst: "/opt/app/conf", user: "app", group: "app", mode: "u=rw,g=r" },
        { type: "install", src: "tree", dst: "/opt/app/tree/" },
        { type: "ensure_file_symlink", link: "/opt/app/link", target: "conf" },
      ].map((f) => ({ label: L, ...f })),
      L,
    );
    const snaps: string[][] = [];
    for (let i = 0; i < 2; i++) {
      const root = freshScratchDir();
      seedImage(root);
      const { order } = await planPhase(features, { ...analyzeCtx(project, baseFacts()), label: L });
      const ctx = compileCtx(root, project, { epoch: 1_700_000_000 });
      for (const s of order) await s.module.compile(s.feature, ctx);
      // seedImage's own files carry the wall-clock time; bring them to the epoch like an earlier phase would.
      snaps.push(snapshot(root).map((l) => l.replace(/^(\/etc(?:\/passwd|\/group)? [0-7]+ [0-7]+ \d+:\d+) \S+/, "$1 seeded")));
    }
    expect(snaps[1]).toEqual(snaps[0]);
    expect(snaps[0]).toContainEqual(expect.stringMatching(/^\/opt\/app\/conf 100000 640 1000:1000 1700000000000 x$/));
  });
});
