// What group_add, user_add and usermod share. They edit the IMAGE's /etc/group, /etc/passwd (and /etc/shadow, /etc/gshadow when
// the image has them; they are never created: an image without them does not use shadow passwords).
// Ids left unset get the lowest free id ≥ 1000 in the image's files as written so far, so features applied
// earlier in the phase count; the order is the depgraph's deterministic one. New accounts get a locked
// password ("!") and empty aging fields (no date, for determinism). An explicit uid/gid that is already taken
// (including by an earlier allocation in the phase) is a compile error, never a silent duplicate. usermod edits
// /etc/group member lists only (not /etc/gshadow).
import { z } from "zod";
import { GroupFile, readImageText, writeImageText } from "../image/passwd.js";
import { featureError } from "./common.js";
import type { CompileContext } from "./types.js";

export const nameSchema = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]*\$?$/, { message: "a user/group name of letters, digits, _ . -" });
export const idSchema = z.number().int().min(0).max(0xfffffffe).nullable().optional();

export function appendLine(ctx: CompileContext, path: string, line: string): void {
  const text = readImageText(ctx.root, path);
  if (text === null) return;
  const sep = text === "" || text.endsWith("\n") ? "" : "\n";
  ctx.touched(writeImageText(ctx.root, path, text + sep + line + "\n", ctx.epoch));
}

export function addMembers(ctx: CompileContext, name: string, groups: GroupFile, user: string, wanted: string[]): void {
  for (const g of wanted) {
    const e = groups.get(g);
    if (e === undefined) throw featureError(ctx, name, `group "${g}" is not in the image's /etc/group`, "an existing group", "no such group");
    if (!e.members.includes(user)) e.members.push(user);
  }
}
