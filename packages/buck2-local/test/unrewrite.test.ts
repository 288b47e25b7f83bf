// Error snippets must read as the user's source, not as the driver's rewritten text.
import { describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { join } from "node:path";

const driverDir = join(import.meta.dirname, "../starlark");

function roundTrip(src: string): { rewritten: string; restored: string } {
  const script = [
    "import json, sys",
    "from pydriver.rewrite import rewrite, unrewrite",
    "src = sys.stdin.read()",
    "r = rewrite(src)",
    "print(json.dumps({'rewritten': r, 'restored': unrewrite(r)}))",
  ].join("\n");
  const out = execFileSync(process.env.STRATA_PYTHON ?? "python3", ["-c", script], { cwd: driverDir, input: src, encoding: "utf8" });
  return JSON.parse(out);
}

describe("driver source rewriting", () => {
  it("is undone in error text", () => {
    const src = 'def f(x, y):\n    return "a{}".format(x.label) + str(y) + ("%s" % x.providers)\n';
    const { rewritten, restored } = roundTrip(src);
    expect(rewritten).toContain("STRATA_INTERNAL_");
    expect(restored).toBe(src);
  });

  it("leaves no helper name in a snippet cut short", () => {
    const { rewritten } = roundTrip('def f(a):\n    fail("x {}".format(a.label))\n');
    const cut = rewritten.split("\n")[1]!.slice(0, 30) + "...";
    const script = `from pydriver.rewrite import unrewrite; print(unrewrite(${JSON.stringify(cut)}))`;
    const out = execFileSync(process.env.STRATA_PYTHON ?? "python3", ["-c", script], { cwd: driverDir, encoding: "utf8" });
    expect(out).not.toContain("STRATA_INTERNAL_");
  });
});
