// docs/first-image.md (issue 9 item 13): its examples build as written, on the real rules and runner.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { newProject, outputOf, repoRoot } from "../rules/project.js";

const doc = readFileSync(join(repoRoot, "docs/first-image.md"), "utf8");
const blocks = [...doc.matchAll(/```python\n([\s\S]*?)```/g)].map((m) => m[1]!);

describe("docs/first-image.md", () => {
  it("is linked from the README", () => {
    expect(readFileSync(join(repoRoot, "README.md"), "utf8")).toContain("(docs/first-image.md)");
  });

  it("its layer examples build: a first layer on //base:shell, and replacing a parent's file", async () => {
    expect(blocks.length).toBe(2);
    const load = blocks[0]!.split("\n")[0]!;
    expect(load).toBe('load("//rules:defs.bzl", "feature", "image")');
    const p = newProject({
      "doc/BUCK": blocks[0]! + "\n" + blocks[1]!,
      "doc/files/passwd": "root:x:0:0:root:/root:/bin/sh\n",
      "doc2/.keep": "",
    });
    const r = await p.build(["//doc:hello", "//doc:custom"]);
    expect(readFileSync(join(outputOf(r, "//doc:hello"), "etc/motd"), "utf8")).toBe("hello\n");
    expect(readFileSync(join(outputOf(r, "//doc:custom"), "etc/passwd"), "utf8")).toBe("root:x:0:0:root:/root:/bin/sh\n");
    // as the page says: without the remove, installing over the parent's file is refused
    p.write("doc2/BUCK", load + "\n" + blocks[1]!.replace(/ {8}feature\.remove\(path = "\/etc\/passwd"\),\n/, "").replace("files/passwd", "passwd"));
    p.write("doc2/passwd", "x\n");
    const bad = await p.local(["build", "//doc2:custom"]);
    expect(bad.exitCode).toBe(1);
    expect(String(bad.stderr)).toContain("/etc/passwd");
  }, 600_000);
});
