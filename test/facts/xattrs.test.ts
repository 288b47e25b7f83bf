// Xattrs in the facts record: read from the tree for every path (reported, walked whole, or an opaque phase's
// full walk), shown by `--facts-out` / `[facts]`, and compared by a child's conflict check against its parent.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { deriveDelta, walkTree } from "../../src/facts/derive.js";
import { emptyFacts } from "../../src/facts/view.js";
import { phaseOf } from "../helpers/phase.js";
import { describeBtrfs, freshBtrfsDir, freshScratchDir } from "../helpers/volume.js";
import { base, strata, writeFeatures } from "../runner/helpers.js";

const setfattr = (p: string, name: string, value: string): void => {
  execFileSync("setfattr", ["-h", "-n", name, "-v", value, "--", p]);
};

describeBtrfs("xattrs in facts", () => {
  function tree(): string {
    const root = join(freshBtrfsDir("xf-"), "root");
    mkdirSync(join(root, "d/sub"), { recursive: true });
    writeFileSync(join(root, "d/plain"), "p");
    writeFileSync(join(root, "d/odd \\name=1"), "o");
    writeFileSync(join(root, "top"), "t");
    symlinkSync("top", join(root, "link"));
    setfattr(join(root, "d/sub"), "user.dir", "0x00ff");
    setfattr(join(root, "d/odd \\name=1"), "user.b", "two");
    setfattr(join(root, "d/odd \\name=1"), "user.a", "one");
    setfattr(join(root, "top"), "trusted.t", "0sAAE=");
    return root;
  }

  it("a full walk records the xattrs of exactly the paths that have them, in canonical text", () => {
    const facts = walkTree(tree());
    const withX = Object.fromEntries(facts.filter((f) => f.xattrs !== undefined).map((f) => [f.path, f.xattrs]));
    expect(withX).toEqual({
      "/d/sub": "user.dir=0x00ff",
      "/d/odd \\name=1": "user.a=0x6f6e65,user.b=0x74776f",
      "/top": "trusted.t=0x0001",
    });
  });

  it("a delta reads the reported paths and new directories whole; a changed xattr alone makes a new fact", () => {
    const root = tree();
    const changes = { touched: new Map<string, string | undefined>([["/d", "//t:a"], ["/top", "//t:b"], ["/link", "//t:c"]]), removed: new Set<string>() };
    const delta = deriveDelta(root, emptyFacts(), changes);
    expect(delta.upserts.get("/d/sub")?.xattrs).toBe("user.dir=0x00ff");
    expect(delta.upserts.get("/top")?.xattrs).toBe("trusted.t=0x0001");
    expect(delta.upserts.get("/d/plain")?.xattrs).toBeUndefined();
    expect(delta.upserts.get("/link")?.xattrs).toBeUndefined();

    // an opaque phase (genrule, packages) walks the tree: an xattr changed in place is seen as a change
    const parentFacts = emptyFacts().withDelta(delta, { users: [], groups: [], mounts: [] });
    setfattr(join(root, "d/sub"), "user.dir", "0x01");
    const opaque = deriveDelta(root, parentFacts, { touched: new Map(), removed: new Set(), opaqueOrigin: "//t:gen: genrule" });
    expect([...opaque.upserts.values()].map((f) => [f.path, f.xattrs])).toEqual([["/d/sub", "user.dir=0x01"]]);
  });

  it("--facts-out shows xattrs; a child re-providing a directory with other xattrs is a conflict, with the same ones it is not", async () => {
    const wv = freshBtrfsDir();
    const work = freshScratchDir();
    const compile = (name: string, features: object[], extra: string[] = []): ReturnType<typeof strata> =>
      strata(["compile", "--label", `//t:${name}`, "--phase", phaseOf(features), "--features", writeFeatures(join(work, `${name}.json`), features), "--out", join(work, name), "--working-volume", wv, ...extra]);
    const parentFeatures = [
      ...base("//t:parent"),
      { type: "ensure_subdirs_exist", label: "//t:parent", into_dir: "/etc", subdirs_to_create: "tagged", xattrs: { "user.tag": "blue" } },
      { type: "install_text", label: "//t:parent", text: "x", dst: "/etc/app/cap", xattrs: { "user.x": "0s3q0=" } },
    ];
    const p = await compile("parent", parentFeatures, ["--facts-out", join(work, "parent.facts.json")]);
    expect(p.stderr).toBe("");
    const exported = JSON.parse(readFileSync(join(work, "parent.facts.json"), "utf8")) as { paths: { path: string; xattrs?: string }[] };
    const x = Object.fromEntries(exported.paths.filter((f) => f.xattrs !== undefined).map((f) => [f.path, f.xattrs]));
    expect(x).toEqual({ "/etc/tagged": "user.tag=0x626c7565", "/etc/app/cap": "user.x=0xdead" });

    const parent = ["--parent", join(work, "parent")];
    const same = await compile("same", [{ type: "ensure_subdirs_exist", label: "//t:same", into_dir: "/etc", subdirs_to_create: "tagged", xattrs: { "user.tag": "0x626c7565" } }], parent);
    expect(same.stderr).toBe("");
    expect(same.exitCode).toBe(0);
    const none = await compile("none", [{ type: "ensure_subdirs_exist", label: "//t:none", into_dir: "/etc", subdirs_to_create: "tagged" }], parent);
    expect(none.exitCode).toBe(0);

    const other = await compile("other", [{ type: "ensure_subdirs_exist", label: "//t:other", into_dir: "/etc", subdirs_to_create: "tagged", xattrs: { "user.tag": "red" } }], parent);
    expect(other.exitCode).not.toBe(0);
    expect(other.stderr).toMatch(/^error: .*"\/etc\/tagged" already exists in the parent layer/m);
    expect(other.stderr).toContain("user.tag=0x626c7565");
    expect(other.stderr).toContain("user.tag=0x726564");
  });
});
