// Extended attributes of install, install_text and ensure_subdirs_exist, taken as antlir2 takes them: a value is
// plain text, "0x" + hex bytes or "0s" + base64 (the encodings of getfattr/setfattr). Values are decoded once, by
// the schema, so a bad value is an error at parse time and two features that write the same bytes in different
// spellings agree in conflict checks. Written with setfattr (Debian package attr): Node has no xattr call.
import { execFileSync } from "node:child_process";
import { z } from "zod";

const NAME = /^(user|trusted|security)\.[^\0]+$/;

/** The bytes of an antlir2 xattr value, or null when the value is not valid in its encoding. */
export function decodeXattrValue(value: string): Buffer | null {
  if (value.startsWith("0x")) {
    const hex = value.slice(2);
    return hex.length % 2 === 0 && /^[0-9a-fA-F]*$/.test(hex) ? Buffer.from(hex, "hex") : null;
  }
  if (value.startsWith("0s")) {
    const b64 = value.slice(2);
    return /^[A-Za-z0-9+/]*={0,2}$/.test(b64) ? Buffer.from(b64, "base64") : null;
  }
  return Buffer.from(value, "utf8");
}

/** `xattrs = {name: value}`; absent means none ({}, as in the Starlark twin). */
export const xattrsSchema = z
  .record(z.string(), z.string())
  .superRefine((rec, ctx) => {
    for (const [k, v] of Object.entries(rec)) {
      if (!NAME.test(k)) ctx.addIssue({ code: "custom", path: [k], message: `an xattr name in the user., trusted. or security. namespace (like "user.foo"), not "${k}"` });
      else if (decodeXattrValue(v) === null) ctx.addIssue({ code: "custom", path: [k], message: 'a value: plain text, "0x" + hex bytes or "0s" + base64' });
    }
  })
  .optional()
  .default({});

export type Xattrs = Record<string, string> | undefined;

/** Canonical text of a set of xattrs (sorted names, hex values): equal bytes give equal text. "" for none. */
export function xattrsText(xattrs: Xattrs): string {
  if (xattrs === undefined) return "";
  return Object.keys(xattrs)
    .sort()
    .map((k) => `${k}=0x${decodeXattrValue(xattrs[k]!)!.toString("hex")}`)
    .join(",");
}

/** Sets each xattr on a host path inside the image (never following a final symlink). */
export function setXattrs(hostPath: string, xattrs: Xattrs): void {
  if (xattrs === undefined) return;
  for (const k of Object.keys(xattrs).sort()) {
    const hex = decodeXattrValue(xattrs[k]!)!.toString("hex");
    try {
      execFileSync("setfattr", ["-h", "-n", k, "-v", `0x${hex}`, "--", hostPath], { stdio: ["ignore", "ignore", "pipe"] });
    } catch (e) {
      const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
      if (err.code === "ENOENT") throw new Error("setting xattrs needs setfattr (Debian package attr); it is not installed");
      throw new Error(`cannot set xattr "${k}": ${err.stderr?.toString().trim() || err.message}`);
    }
  }
}

/** The xattrs of a host path as name -> bytes (for tests and facts); {} when it has none. */
export function readXattrs(hostPath: string): Record<string, Buffer> {
  const out = execFileSync("getfattr", ["-h", "-d", "-m", "-", "-e", "hex", "--", hostPath], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  const result: Record<string, Buffer> = {};
  for (const line of out.split("\n")) {
    const m = /^([^#=][^=]*)=0x([0-9a-f]*)$/.exec(line);
    if (m) result[m[1]!] = Buffer.from(m[2]!, "hex");
  }
  return result;
}
