// `strata local uquery|cquery`: the command the visibility error suggests exists under the local driver (issue 19
// item 10), and answers as `buck2 uquery PATTERN --output-attribute A` does.
import { describe, expect, it } from "vitest";
import { fixture, local } from "./helpers.js";

const VISIBILITY = {
  "bad/TARGETS": 'load("@root//rules:defs.bzl", "json_facts")\njson_facts(name = "x", deps = ["//app:acopy", "//bad/sub:c"])\n',
  "bad/sub/TARGETS": 'load("@root//rules:defs.bzl", "copy")\ncopy(name = "c", src = "f.txt", visibility = ["//other/..."])\n',
  "bad/sub/f.txt": "f\n",
};

describe("local uquery and cquery", () => {
  it("the visibility error suggests a command of this driver; run as printed, it shows the visibility", async () => {
    const dir = fixture("basic", VISIBILITY);
    const built = await local(dir, ["build", "//bad:x"]);
    expect(built.exitCode).toBe(1);
    const suggested = /\(run `([^`]+)` to see its visibility\)/.exec(built.stderr)?.[1];
    expect(suggested).toBe("npx strata local uquery --output-attribute visibility root//app:acopy");
    const q = await local(dir, suggested!.split(" ").slice(3));
    expect(q.exitCode).toBe(0);
    expect(JSON.parse(q.stdout)).toEqual({ "root//app:acopy": { visibility: [] } });
  });

  it("lists the targets of patterns; --output-attribute (a regex, repeatable) prints their attributes as JSON", async () => {
    const dir = fixture("basic", VISIBILITY);
    const list = await local(dir, ["uquery", "//app:", "//bad/..."]);
    expect(list.stdout.split("\n")).toEqual(["root//app:acopy", "root//app:both", "root//app:facts", "root//bad/sub:c", "root//bad:x"]);
    const attrs = await local(dir, ["uquery", "//bad/sub:c", "//app:both", "--output-attribute", "visibility", "--output-attribute", "buck\\.type|src"]);
    expect(JSON.parse(attrs.stdout)).toEqual({
      "root//app:both": { "buck.type": "concat", visibility: ["PUBLIC"] },
      "root//bad/sub:c": { "buck.type": "copy", src: "bad/sub/f.txt", visibility: ["//other/..."] },
    });
    // one configuration: cquery's answer is uquery's
    const c = await local(dir, ["cquery", "//bad/sub:c", "//app:both", "--output-attribute", "visibility", "--output-attribute", "buck\\.type|src"]);
    expect(c.stdout).toBe(attrs.stdout);
  });

  it("an unknown target is an error, as in buck2 uquery", async () => {
    const dir = fixture("basic");
    const r = await local(dir, ["uquery", "//app:nope"]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr.split("\n")[0]).toBe("error: root//app:nope: unknown target `root//app:nope`");
    expect(r.stdout).toBe("");
  });
});
