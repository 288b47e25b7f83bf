// How a package action writes its output: into a temporary sibling that is renamed over OUT only when complete,
// so a failed or interrupted packaging never leaves a partial file or directory where Buck2 expects the output.
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";

export async function writeOutput<T>(outArg: string, make: (tmp: string, scratch: string) => Promise<T>): Promise<T> {
  const out = resolve(outArg);
  mkdirSync(dirname(out), { recursive: true });
  const tag = `${process.pid}-${randomBytes(4).toString("hex")}`;
  const tmp = join(dirname(out), `.${basename(out)}.${tag}.partial`);
  const scratch = join(dirname(out), `.${basename(out)}.${tag}.scratch`);
  mkdirSync(scratch);
  const cleanup = () => {
    rmSync(tmp, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  };
  process.once("SIGTERM", cleanup);
  process.once("SIGINT", cleanup);
  try {
    await rm(out, { recursive: true, force: true });
    const result = await make(tmp, scratch);
    await rename(tmp, out);
    return result;
  } finally {
    process.off("SIGTERM", cleanup);
    process.off("SIGINT", cleanup);
    cleanup();
  }
}
