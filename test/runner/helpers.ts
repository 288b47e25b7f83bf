// Shared by the runner, storage and facts tests: running the real CLI and describing trees.
import { execa, type Result } from "execa";
import { createHash } from "node:crypto";
import { lstatSync, readFileSync, readdirSync, readlinkSync, realpathSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const strataBin = join(repoRoot, "bin", "strata.mjs");

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
  umask?: string;
}

/** runs `node bin/strata.mjs ...args` (the compiled CLI); never rejects */
export async function strata(args: string[], opts: RunOptions = {}): Promise<Result> {
  const env = { ...process.env, SOURCE_DATE_EPOCH: "", ...opts.env };
  if (opts.umask !== undefined) {
    return execa("sh", ["-c", `umask ${opts.umask} && exec node "$0" "$@"`, strataBin, ...args], { cwd: opts.cwd, env, reject: false });
  }
  return execa("node", [strataBin, ...args], { cwd: opts.cwd, env, reject: false });
}

export function writeFeatures(file: string, features: object[]): string {
  writeFileSync(file, JSON.stringify(features));
  return file;
}

export interface Entry {
  path: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  atime: number;
  content?: string;
  target?: string;
}

/**
 * every entry of a tree with type, mode, owner, times and content digest, sorted. `withAtime: false` for trees
 * the kernel does not seal (copy backend): reading a file there moves its atime (relatime).
 */
export function listTree(rootOrLink: string, withAtime = true): Entry[] {
  const root = realpathSync(rootOrLink);
  const out: Entry[] = [];
  const visit = (rel: string): void => {
    const host = rel === "" ? root : join(root, rel);
    const st = lstatSync(host);
    const type = st.isDirectory() ? "dir" : st.isSymbolicLink() ? "symlink" : st.isFile() ? "file" : "other";
    const e: Entry = { path: rel === "" ? "/" : `/${rel}`, type, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: Math.floor(st.mtimeMs / 1000), atime: Math.floor(st.atimeMs / 1000) };
    if (type === "file") e.content = createHash("sha256").update(readFileSync(host)).digest("hex");
    if (type === "symlink") e.target = readlinkSync(host);
    if (!withAtime) e.atime = -1;
    out.push(e);
    if (type === "dir") for (const n of readdirSync(host).sort()) visit(rel === "" ? n : `${rel}/${n}`);
  };
  visit("");
  return out;
}

export function base(label: string): object[] {
  return [
    { type: "ensure_dirs_exist", label, dirs: "/etc/app" },
    { type: "install_text", label, text: "root:x:0:0:root:/root:/bin/sh\n", dst: "/etc/passwd", mode: 0o644, user: 0, group: 0 },
    { type: "install_text", label, text: "root:x:0:\n", dst: "/etc/group", mode: 0o644, user: 0, group: 0 },
    { type: "install_text", label, text: "hello\n", dst: "/etc/app/hello.txt" },
  ];
}
