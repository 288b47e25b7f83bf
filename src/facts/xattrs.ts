// The xattrs of image paths, for the facts record. Node has no xattr call, so getfattr (Debian package attr)
// reads them: one process for a whole subtree (-R) or for a batch of single paths, never one per path. getfattr
// prints only the paths that have xattrs, so a tree without any costs one llistxattr per path inside that process.
// The text is the canonical form of src/features/xattrs.ts (sorted names, hex values), so a fact compares
// directly with what a feature provides.
import { execFileSync } from "node:child_process";

/** longest argument list per getfattr call (bytes), well under the kernel's limit */
const ARG_BYTES = 96 * 1024;

function unescapeOctal(s: string): string {
  if (!s.includes("\\")) return s;
  const bytes: number[] = [];
  const raw = Buffer.from(s, "utf8");
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === 0x5c && i + 3 < raw.length && /^[0-7]{3}$/.test(raw.subarray(i + 1, i + 4).toString("latin1"))) {
      bytes.push(parseInt(raw.subarray(i + 1, i + 4).toString("latin1"), 8));
      i += 3;
    } else bytes.push(raw[i]!);
  }
  return Buffer.from(bytes).toString("utf8");
}

/** host path -> canonical xattr text, from `getfattr -d -e hex --absolute-names` output */
function parseDump(out: string, into: Map<string, string>): void {
  let file: string | undefined;
  let attrs: string[] = [];
  const flush = (): void => {
    if (file !== undefined && attrs.length > 0) into.set(file, attrs.sort().join(","));
    file = undefined;
    attrs = [];
  };
  for (const line of out.split("\n")) {
    if (line.startsWith("# file: ")) {
      flush();
      file = unescapeOctal(line.slice("# file: ".length));
    } else if (line === "") {
      flush();
    } else if (file !== undefined) {
      const m = /^(.*?)=0x([0-9a-f]*)$/.exec(line);
      const name = unescapeOctal(m ? m[1]! : line.replace(/=""$/, ""));
      attrs.push(`${name}=0x${m ? m[2]! : ""}`);
    }
  }
  flush();
}

function getfattr(args: string[], paths: string[], into: Map<string, string>): void {
  for (let i = 0; i < paths.length; ) {
    const batch: string[] = [];
    let bytes = 0;
    while (i < paths.length && (batch.length === 0 || bytes + paths[i]!.length < ARG_BYTES)) {
      bytes += paths[i]!.length + 1;
      batch.push(paths[i]!);
      i++;
    }
    let out: string;
    try {
      out = execFileSync("getfattr", [...args, "-h", "-d", "-m", "-", "-e", "hex", "--absolute-names", "--", ...batch], {
        encoding: "utf8",
        maxBuffer: 1 << 30,
        stdio: ["ignore", "pipe", "pipe"],
      });
    } catch (e) {
      const err = e as NodeJS.ErrnoException & { stdout?: string; stderr?: Buffer | string };
      if (err.code === "ENOENT") throw new Error("reading xattrs for the facts record needs getfattr (Debian package attr); it is not installed");
      // exit 1 with output: some path vanished or refused; what was read is still right for the others
      if (typeof err.stdout === "string" && err.stdout !== "") out = err.stdout;
      else throw new Error(`getfattr failed: ${String(err.stderr ?? err.message).trim()}`);
    }
    parseDump(out, into);
  }
}

function trimSlash(h: string): string {
  return h.length > 1 && h.endsWith("/") ? h.replace(/\/+$/, "") : h;
}

/**
 * Xattr text by image path for `single` paths (each alone) and for every path in the subtrees `trees` (image dir,
 * the dir included). Paths without xattrs are absent. `hostOf` maps an image path to its host path.
 */
export function readImageXattrs(single: readonly string[], trees: readonly string[], hostOf: (imagePath: string) => string): Map<string, string> {
  const result = new Map<string, string>();
  if (single.length > 0) {
    const byHost = new Map<string, string>();
    for (const p of single) byHost.set(trimSlash(hostOf(p)), p);
    const got = new Map<string, string>();
    getfattr([], [...byHost.keys()], got);
    for (const [h, text] of got) {
      const p = byHost.get(h);
      if (p !== undefined) result.set(p, text);
    }
  }
  for (const dir of trees) {
    const h = trimSlash(hostOf(dir));
    const got = new Map<string, string>();
    getfattr(["-R", "-P"], [h], got);
    for (const [hp, text] of got) {
      if (hp !== h && !hp.startsWith(h === "/" ? "/" : `${h}/`)) continue;
      const rel = h === "/" ? hp : hp.slice(h.length);
      const p = rel === "" ? dir : dir === "/" ? rel : `${dir}${rel}`;
      result.set(p, text);
    }
  }
  return result;
}
