// A missing source names the attribute the user wrote, `src` (issue 19 item 10), under real Buck2 too: the collecting
// rules have one source attribute per feature attribute (src, uidmap, ...) instead of one `srcs` for all.
import { expect, it } from "vitest";
import { describeBuck2, RULES_LOAD, useBuck2Project } from "./harness.js";

const BUCK = `${RULES_LOAD}image.layer(
    name = "x",
    features = [
        feature.install(
            src = "nothere.txt",
            dst = "/a",
        ),
    ],
)
`;

describeBuck2("a missing source under real Buck2", () => {
  const project = useBuck2Project({ "p/BUCK": BUCK });

  it("Buck2's coercion error names `src`, the attribute written in the BUCK file", async () => {
    const built = await project().run(["build", "//p:x"]);
    expect(built.exitCode).not.toBe(0);
    const err = String(built.stderr);
    expect(err).toMatch(/Error coercing attribute `src` of `root\/\/p:x`/);
    expect(err).toContain("Source file `nothere.txt` does not exist as a member of package `root//p`");
    expect(err).not.toContain("`srcs`");
  });
});
