// Where a feature was declared, as an editor opens it: `path/BUCK:line:col`. The rules write `loc` = `path:line`
// (Buck2's call_stack() has lines, not columns; rules/private/features/common.bzl call_site); the column is found
// here, in the file, only when an error is reported: the n-th `feature.<type>(` call on that line for the n-th
// feature of that type and line in the features file. Both drivers run the runner in the project root.
import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import { requestCwd } from "../request-context.js";
import type { FeatureBase } from "../types.js";

const LOC = /^(.+):([1-9][0-9]*)$/;

/** A feature's place among the features of its type and `loc` in the features file, set by parseFeatures. */
const ordinals = new WeakMap<FeatureBase, number>();

/** Numbers the features that share a type and a `loc` (several calls on one line), in file order. */
export function numberSites(features: FeatureBase[]): void {
  const seen = new Map<string, number>();
  for (const f of features) {
    if (f.loc === undefined) continue;
    const key = `${f.type} ${f.loc}`;
    const n = seen.get(key) ?? 0;
    seen.set(key, n + 1);
    ordinals.set(f, n);
  }
}

function lineOf(path: string, line: number): string | undefined {
  if (isAbsolute(path) || path.split("/").includes("..")) return undefined;
  try {
    return readFileSync(resolve(requestCwd(), path), "utf8").split("\n")[line - 1];
  } catch {
    return undefined;
  }
}

/**
 * The 1-based column of the `ordinal`-th call of `type` on `text` (the start of its callee, `feature.` included),
 * else the first one's, else the line's first non-blank character.
 */
export function callColumn(text: string, type: string, ordinal: number): number {
  const calls = [...text.matchAll(new RegExp(`(?<![\\w.])(?:[A-Za-z_]\\w*\\s*\\.\\s*)*${type}\\s*\\(`, "g"))];
  const hit = calls[ordinal] ?? calls[0];
  if (hit !== undefined) return hit.index + 1;
  return text.length - text.trimStart().length + 1;
}

/** `path:line:col` of the feature's call, or undefined when the features file gives no place. */
export function siteOf(f: FeatureBase): string | undefined {
  const m = f.loc !== undefined ? LOC.exec(f.loc) : null;
  if (m === null) return undefined;
  const [path, line] = [m[1]!, Number(m[2])];
  const text = lineOf(path, line);
  return `${path}:${line}:${text === undefined ? 1 : callColumn(text, f.type, ordinals.get(f) ?? 0)}`;
}
