// `strata deb-lock`: resolve a manifest (debian/<name>.json) into its lock (debian/<name>.lock.json).
import { existsSync, readFileSync, writeFileSync, renameSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { ArgumentsCamelCase, Argv, CommandModule } from "yargs";
import { requestCwd } from "../request-context.js";
import { StrataError } from "../errors.js";
import { diffLocks, formatLock, readManifest, type Lock } from "./lock.js";
import { debianMirror } from "./mirror.js";
import { defaultAptDir, resolveManifest } from "./resolve.js";

interface DebLockArgs {
  manifest: string;
  out: string;
  check: boolean;
  aptDir?: string;
  keyring?: string;
}

export const debLockCommand: CommandModule<object, DebLockArgs> = {
  command: "deb-lock",
  builder: (y: Argv) =>
    y
      .option("manifest", { type: "string", demandOption: true, describe: "the manifest (debian/<name>.json)" })
      .option("out", { type: "string", demandOption: true, describe: "the lock to write (debian/<name>.lock.json)" })
      .option("check", { type: "boolean", default: false, describe: "do not write: exit 1 and say what changed when OUT is not what resolving gives now" })
      .option("apt-dir", { type: "string", describe: "private APT directory (default: a cache directory under the system's temp dir)" })
      .option("keyring", { type: "string", describe: "archive keyring (default: Debian's)" }) as unknown as Argv<DebLockArgs>,
  handler: async (argv: ArgumentsCamelCase<DebLockArgs>) => {
    const label = argv.manifest;
    const { manifest, digest } = readManifest(argv.manifest);
    const mirror = debianMirror(requestCwd(), label);
    const aptDir = resolve(argv.aptDir ?? defaultAptDir(digest));
    if (argv.check) {
      if (!existsSync(argv.out)) throw new StrataError({ label, message: `${argv.out} does not exist`, expected: "a lock written by `strata deb-lock`", found: "no file", notes: [`update it: npx strata deb-lock --manifest ${argv.manifest} --out ${argv.out}`] });
      const old = JSON.parse(readFileSync(argv.out, "utf8")) as Lock;
      if (old.manifest_sha256 !== digest) {
        throw new StrataError({ label, message: `${argv.out} is stale: the manifest changed since it was written`, expected: `manifest digest ${old.manifest_sha256}`, found: digest, notes: [...diffLocks(old, { ...old, manifest_sha256: digest, roots: [...new Set(manifest.packages)].sort(), archive: { suites: manifest.suites, components: manifest.components, architectures: manifest.architectures } }), `update it: npx strata deb-lock --manifest ${argv.manifest} --out ${argv.out}`] });
      }
      const fresh = await resolveManifest(manifest, digest, { mirror, aptDir, keyring: argv.keyring, label });
      const changes = diffLocks(old, fresh);
      if (changes.length > 0) throw new StrataError({ label, message: `${argv.out} is out of date with the archive`, expected: "the lock resolving gives now", found: `${changes.length} change(s)`, notes: [...changes, `update it: npx strata deb-lock --manifest ${argv.manifest} --out ${argv.out}`] });
      process.stdout.write(`${argv.out} is up to date (${Object.keys(old.packages).length} packages)\n`);
      return;
    }
    const lock = await resolveManifest(manifest, digest, { mirror, aptDir, keyring: argv.keyring, label });
    const tmp = `${argv.out}.${process.pid}.tmp`;
    writeFileSync(tmp, formatLock(lock));
    renameSync(tmp, argv.out);
    process.stdout.write(`${argv.out}: ${Object.keys(lock.packages).length} packages\n`);
  },
};
