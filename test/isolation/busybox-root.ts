// Test fixture: a minimal image tree made straight from the pinned busybox-static .deb (the same url and sha256
// the //base:shell rule uses), so the isolation tests do not depend on the rest of the build.
import { createHash } from "node:crypto";
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { debDataTar } from "../../src/debian/extract.js";
import { BUSYBOX_STATIC } from "../../src/debian/pins.js";

const CACHE = process.env.STRATA_TEST_CACHE ?? join(tmpdir(), "strata-test-cache");

export async function busyboxDeb(): Promise<Buffer> {
  const file = join(CACHE, `${BUSYBOX_STATIC.sha256}.deb`);
  if (existsSync(file)) return readFileSync(file);
  const res = await fetch(BUSYBOX_STATIC.url);
  if (!res.ok) throw new Error(`download of ${BUSYBOX_STATIC.url} failed: HTTP ${res.status}`);
  const data = Buffer.from(await res.arrayBuffer());
  const got = createHash("sha256").update(data).digest("hex");
  if (got !== BUSYBOX_STATIC.sha256) throw new Error(`sha256 mismatch for ${BUSYBOX_STATIC.url}: expected ${BUSYBOX_STATIC.sha256}, got ${got}`);
  mkdirSync(CACHE, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, file);
  return data;
}

export const PASSWD = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n";
export const GROUP = "root:x:0:\nnogroup:x:65534:\n";

/** Fills `root` (an existing empty directory) with busybox, its applet links, users root/nobody and the usual dirs. */
export async function makeBusyboxRoot(root: string, extra: { passwd?: string; group?: string } = {}): Promise<void> {
  const tar = await debDataTar(await busyboxDeb());
  execFileSync("tar", ["-x", "--numeric-owner", "-C", root, "-f", "-"], { input: tar });
  const applets = execFileSync(join(root, "bin/busybox"), ["--list-full"], { encoding: "utf8" }).split("\n").filter((l) => l.includes("/"));
  for (const d of ["etc", "tmp", "root", "proc", "dev", "sbin", "usr/bin", "usr/sbin", "home"]) mkdirSync(join(root, d), { recursive: true });
  for (const a of applets) {
    const p = join(root, a);
    mkdirSync(dirname(p), { recursive: true });
    if (!existsSync(p)) symlinkSync("/bin/busybox", p);
  }
  chmodSync(join(root, "tmp"), 0o1777);
  chmodSync(join(root, "root"), 0o700);
  writeFileSync(join(root, "etc/passwd"), PASSWD + (extra.passwd ?? ""));
  writeFileSync(join(root, "etc/group"), GROUP + (extra.group ?? ""));
}
