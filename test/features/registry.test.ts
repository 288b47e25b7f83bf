import { describe, expect, it } from "vitest";
import { StrataError } from "../../src/errors.js";
import { featureTypes, parseFeatures } from "../../src/features/registry.js";

const L = "//img:layer";

function fail(json: unknown): StrataError {
  try {
    parseFeatures(json, L);
  } catch (e) {
    if (e instanceof StrataError) return e;
    throw e;
  }
  throw new Error("expected a StrataError");
}

describe("parseFeatures", () => {
  it("knows every feature type", () => {
    expect(featureTypes()).toEqual(expect.arrayContaining([
      "clone", "ensure_dir_symlink", "ensure_dirs_exist", "ensure_file_symlink", "ensure_subdirs_exist", "group_add",
      "install", "install_text", "layer_mount", "remove", "requires", "tarball", "user_add", "usermod",
    ]));
  });

  it("accepts valid features from text and fills defaults", () => {
    const [r] = parseFeatures(JSON.stringify([{ type: "remove", label: "//a:b", path: "/x" }]), L);
    expect(r).toEqual({ type: "remove", label: "//a:b", path: "/x", must_exist: true });
  });

  it("reports every invalid feature at once, with index, type, attribute, expected and found", () => {
    const e = fail([
      { type: "install_text", label: "//a:b", text: "x", dst: "/etc/x", mode: "rwx" },
      { type: "ensure_dirs_exist", label: "//a:c", dirs: "/ok", mdoe: 493 },
      { type: "instal", label: "//a:d" },
      { type: "user_add", label: "//a:e", username: "u", home_dir: "relative" },
      "not an object",
    ]);
    expect(e.details.map((d) => [d.label, d.feature, d.message, d.expected, d.found])).toEqual([
      ["//a:b", "feature #0 (install_text)", 'invalid attribute "mode"', 'a mode: an integer, octal string ("0755") or chmod string ("u=rw,go=r")', '"rwx"'],
      ["//a:c", "feature #1 (ensure_dirs_exist)", 'unknown attribute "mdoe"', "only dirs, group, label, mode, type, user", "mdoe=493"],
      ["//a:d", "feature #2", "unknown feature type", expect.stringContaining("clone, ensure_dir_symlink"), '"instal"'],
      ["//a:e", "feature #3 (user_add)", 'invalid attribute "primary_group"', "a string", "nothing (attribute absent)"],
      ["//a:e", "feature #3 (user_add)", 'invalid attribute "home_dir"', 'an absolute image path without ".." (like "/etc/app.conf")', '"relative"'],
      [L, "feature #4", "a feature must be an object", "an object with type and label", '"not an object"'],
    ]);
    expect(e.message.split("\n")[0]).toBe("error: //a:b: 6 errors");
  });

  it("rejects a file that is not an array or not JSON", () => {
    expect(fail({}).details[0]!.message).toMatch(/JSON array/);
    expect(fail("{oops").details[0]!.message).toMatch(/not valid JSON/);
  });
});
