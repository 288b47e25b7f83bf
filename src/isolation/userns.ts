// A user namespace that maps every id to itself (0..2^32-2 → the same ids on the host; in a rootless build every id
// of strata's own namespace), owned by the uid the command will run as.
//
// Why: running bwrap as root without a user namespace cannot switch to another uid (its --uid needs a user
// namespace), and bwrap's own user namespace maps only one id, so root-owned image files would show up as
// `nobody` inside and files the command creates would belong to the wrong host uid. With an identity mapping,
// ownership inside the container is the ownership on disk. Because the namespace is owned by the target uid,
// bwrap started as that uid (with no capabilities on the host) may join it with `--userns` and gets the
// capabilities it needs for its mounts only inside it; the command itself then runs with none.
import { spawn } from "node:child_process";
import { closeSync, openSync, writeFileSync } from "node:fs";
import { identityMapOf } from "../storage/userns.js";


export interface UserNamespace {
  /** open file descriptor of /proc/<holder>/ns/user; keeps the namespace alive until closed */
  fd: number;
  close(): void;
}

/** Creates the namespace (a short-lived holder process unshares it; we write its maps as root, then let it go). */
export async function identityUserNamespace(uid: number, gid: number): Promise<UserNamespace> {
  const holder = spawn("setpriv", [`--reuid=${uid}`, `--regid=${gid}`, "--clear-groups", "--", "unshare", "--user", "--", "/bin/sh", "-c", "echo ready; exec cat"], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  holder.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => holder.on("close", () => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      let out = "";
      holder.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        if (out.includes("ready\n")) resolve();
      });
      holder.on("error", reject);
      holder.on("close", (code) => reject(new Error(`could not create a user namespace (setpriv/unshare exited ${code}): ${stderr.trim()}`)));
    });
    const pid = holder.pid!;
    // setgroups stays "allow": we write gid_map with CAP_SETGID in the parent namespace.
    writeFileSync(`/proc/${pid}/uid_map`, identityMapOf("uid"));
    writeFileSync(`/proc/${pid}/gid_map`, identityMapOf("gid"));
    const fd = openSync(`/proc/${pid}/ns/user`, "r");
    return { fd, close: () => closeSync(fd) };
  } finally {
    holder.stdin.end();
    await exited;
  }
}
