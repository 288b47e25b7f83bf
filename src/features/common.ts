// Pieces every feature module shares: attribute schemas, requirement builders, owner resolution, messages.
import { isAbsolute, join } from "node:path";
import { z } from "zod";
import { isValidImagePath, normalizeImagePath, parentOf } from "../image/path.js";
import { isValidModeString } from "../image/mode.js";
import { lookupGid, lookupUid } from "../image/passwd.js";
import { StrataError, type ErrorKind } from "../errors.js";
import type { FileType, ItemKey, Requirement, Validator } from "../types.js";
import type { CompileContext } from "./types.js";

export const labelSchema = z.string().min(1);

export const imagePathSchema = z
  .string()
  .refine(isValidImagePath, { message: 'an absolute image path without ".." (like "/etc/app.conf")' });

export const modeSchema = z
  .union([
    z.number().int().min(0).max(0o7777),
    z.string().refine(isValidModeString, { message: 'a mode: an integer, octal string ("0755") or chmod string ("u=rw,go=r")' }),
  ])
  .nullable()
  .optional();

export const ownerSchema = z.union([z.string().min(1), z.number().int().min(0)]).nullable().optional();

export type Owner = string | number | null | undefined;

export function isFileType(fileType: FileType): Validator {
  return { kind: "file-type", fileType };
}
export const EXISTS: Validator = { kind: "exists" };
export const IS_DIR = isFileType("directory");
export const IS_FILE = isFileType("file");

export function pathKey(p: string): ItemKey {
  return `path:${normalizeImagePath(p)}`;
}

export function requirePath(path: string, validator: Validator, ordered = true): Requirement {
  return { key: pathKey(path), ordered, validator };
}

export function requireParentDir(path: string): Requirement {
  return requirePath(parentOf(normalizeImagePath(path)), IS_DIR);
}

export function requireUser(name: string): Requirement {
  return { key: `user:${name}`, ordered: true, validator: EXISTS };
}

export function requireGroup(name: string): Requirement {
  return { key: `group:${name}`, ordered: true, validator: EXISTS };
}

/** A feature's host source (`src`): absolute as given, otherwise relative to the project root. */
export function projectSourcePath(projectRoot: string, src: string): string {
  return isAbsolute(src) ? src : join(projectRoot, src);
}

/** Named users/groups must exist before the feature runs; numbers need nothing. */
export function ownerRequirements(user: Owner, group: Owner): Requirement[] {
  const out: Requirement[] = [];
  if (typeof user === "string") out.push(requireUser(user));
  if (typeof group === "string") out.push(requireGroup(group));
  return out;
}

/** Owner string for items (so two directories with different owners are told apart). */
export function ownerText(user: Owner, group: Owner): string {
  return `${user ?? "root"}:${group ?? "root"}`;
}

export function describeFeature(type: string, attrs: Record<string, unknown>): string {
  const parts = Object.entries(attrs)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return `${type}(${parts.join(", ")})`;
}

/** A compile-time user error for one feature; its kind is required, so tests and tools can match it, not the wording. */
export function featureError(ctx: { label: string }, feature: string, kind: ErrorKind, message: string, expected?: string, found?: string): StrataError {
  return new StrataError({ kind, label: ctx.label, feature, message, expected, found });
}

/** Resolves user/group (names through the image's own /etc/passwd and /etc/group, as written so far). */
export function resolveOwner(ctx: CompileContext, feature: string, user: Owner, group: Owner): { uid: number; gid: number } {
  const uid = lookupUid(ctx.root, user ?? "root");
  if (uid === undefined) throw featureError(ctx, feature, "missing", `user "${user}" is not in the image's /etc/passwd`, "an existing user", "no such user");
  const gid = lookupGid(ctx.root, group ?? "root");
  if (gid === undefined) throw featureError(ctx, feature, "missing", `group "${group}" is not in the image's /etc/group`, "an existing group", "no such group");
  return { uid, gid };
}

/** Runs `fn`, turning low-level errors (path escapes, fs errors) into a StrataError naming the feature. */
export async function asFeatureError<T>(ctx: { label: string }, feature: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof StrataError) throw e;
    throw new StrataError({ kind: "io", label: ctx.label, feature, message: (e as Error).message });
  }
}
