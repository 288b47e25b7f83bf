// `strata local test` prints what `buck2 test` prints for each test: the verdict, then the test's stdout and stderr,
// for a passing test as for a failing one (issue 19 item 10).
import { describe, expect, it } from "vitest";
import { fixture, local } from "./helpers.js";

const TESTS_BZL = `def _sh_test_impl(ctx):
    return [DefaultInfo(), ExternalRunnerTestInfo(type = "custom", command = ["sh", "-c", ctx.attrs.script])]

sh_test = rule(impl = _sh_test_impl, attrs = {"script": attrs.string()})
`;
const TARGETS = `load("@root//rules:tests.bzl", "sh_test")
sh_test(name = "passes", script = "echo hello from a passing test; echo to stderr >&2")
sh_test(name = "fails", script = "echo failing output; exit 3")
sh_test(name = "quiet", script = "true")
`;

describe("local test shows each test's output, as Buck2 does", () => {
  it("a passing test's stdout and stderr, in Buck2's sections; a failing test's too, then the summary", async () => {
    const dir = fixture("basic", { "rules/tests.bzl": TESTS_BZL, "t/TARGETS": TARGETS });
    const r = await local(dir, ["test", "//t:passes", "//t:fails", "//t:quiet"]);
    expect(r.exitCode).toBe(32);
    expect(r.stderr).toContain(
      [
        "✓ Pass: root//t:passes",
        "---- STDOUT ----",
        "hello from a passing test",
        "",
        "---- STDERR ----",
        "to stderr",
        "",
        "✗ Fail: root//t:fails (exit code 3)",
        "---- STDOUT ----",
        "failing output",
        "",
        "---- STDERR ----",
        "",
        "✓ Pass: root//t:quiet",
        "---- STDOUT ----",
        "",
        "---- STDERR ----",
        "",
        "Tests finished: Pass 2. Fail 1.",
      ].join("\n"),
    );
  });
});
