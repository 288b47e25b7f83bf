// The same BUCK files built in two separate projects give byte-identical images: contents, modes, owners, times.
import { describe, expect, it } from "vitest";
import { lstatSync, readFileSync, readdirSync, readlinkSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { describeBtrfs } from "../helpers/volume.js";
import { newProject, outputOf } from "./project.js";

/** every entry of a tree with everything that makes it what it is, in sorted order */
function fingerprint(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    const abs = join(root, rel);
    const st = lstatSync(abs);
    const kind = st.isDirectory() ? "d" : st.isSymbolicLink() ? "l" : st.isFile() ? "f" : "?";
    const body = st.isFile() ? readFileSync(abs).toString("base64") : st.isSymbolicLink() ? readlinkSync(abs) : "";
    out.push([rel || "/", kind, (st.mode & 0o7777).toString(8), st.uid, st.gid, st.mtimeMs, st.atimeMs, body].join(" "));
    if (st.isDirectory()) for (const e of readdirSync(abs).sort()) walk(`${rel}/${e}`);
  };
  walk("");
  return out;
}

describeBtrfs("determinism through the local driver", () => {
  it("two projects build //examples:app and //examples/genrule:foo to identical trees", async () => {
    const targets = ["//examples:app", "//examples:debug", "//examples/genrule:foo"];
    const [a, b] = [newProject(), newProject()];
    const [ra, rb] = [await a.build(targets), await b.build(targets)];
    for (const t of targets) {
      const ta = realpathSync(outputOf(ra, t));
      const tb = realpathSync(outputOf(rb, t));
      expect(ta).not.toBe(tb);
      const fa = fingerprint(ta);
      expect(fa.length).toBeGreaterThan(5);
      expect(fingerprint(tb)).toEqual(fa);
    }
  });
});
