// What users see first: one `error:` line per error, whatever the input holds.
import { describe, expect, it } from "vitest";
import { StrataError, renderErrors } from "../../src/errors.js";
import { parseFeatures } from "../../src/features/registry.js";

describe("error rendering", () => {
  it("keeps input with newlines on its own line: no forged error lines", () => {
    const text = renderErrors([
      { label: "//img:a\nerror: forged", feature: 'install_text(dst="/x")', message: "requires \"/etc/a\nerror: fake\" but nothing provides it", found: "tab\there" },
    ]);
    expect(text.split("\n")).toEqual([
      'error: //img:a\\nerror: forged: install_text(dst="/x"): requires "/etc/a\\nerror: fake" but nothing provides it',
      "  found:    tab\\there",
    ]);
  });

  it("an invalid features file names the feature and the attribute, one error: line each", () => {
    let err: unknown;
    try {
      parseFeatures(JSON.stringify([{ type: "install_text", label: "//img:a", text: "x", dst: "/etc/a\n/b", mode: "u=rwz" }]), "//img:a");
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(StrataError);
    const lines = (err as StrataError).message.split("\n");
    expect(lines.filter((l) => l.startsWith("error: ")).length).toBe(lines[0]!.includes("errors") ? (err as StrataError).details.length + 1 : 1);
    expect((err as StrataError).message).toMatch(/invalid attribute "(dst|mode)"/);
  });
});
