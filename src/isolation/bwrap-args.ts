// The bubblewrap argument list for one run. Pure: everything on the host has been resolved by the caller.
import type { Identity } from "./identity.js";

export interface BwrapPlan {
  root: string;
  writable: boolean;
  identity: Identity;
  env: Record<string, string>;
  cwd: string;
  /** image paths already resolved inside the image */
  roBinds: { host: string; image: string }[];
  layerMounts: { mountpoint: string; source: string }[];
  procPath: string;
  devPath: string;
  tmpPath: string;
  interactive: boolean;
  argv: string[];
  /** fd number (in bwrap's table) of the user namespace to join */
  usernsFd: number;
}

const ROOT_CAPABILITIES = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_SETFCAP", "CAP_NET_BIND_SERVICE", "CAP_NET_RAW", "CAP_SYS_CHROOT", "CAP_MKNOD", "CAP_AUDIT_WRITE"];

/** bwrap's options; the command (`plan.argv`) follows them after `--` on bwrap's own command line. */
export function bwrapArgs(p: BwrapPlan): string[] {
  const a: string[] = [];
  a.push("--userns", String(p.usernsFd));
  a.push("--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup");
  a.push("--hostname", "strata");
  a.push("--die-with-parent");
  if (!p.interactive) a.push("--new-session");
  a.push(p.writable ? "--bind" : "--ro-bind", p.root, "/");
  a.push("--proc", p.procPath);
  // The identity mapping makes uid 0 inside the host's uid 0 for permission checks: a writable /proc would let a
  // root command write host-wide sysctls (/proc/sys/kernel/core_pattern runs a program as host root).
  a.push("--remount-ro", p.procPath);
  a.push("--dev", p.devPath);
  a.push("--perms", "1777", "--tmpfs", p.tmpPath);
  for (const m of p.layerMounts) a.push("--ro-bind", m.source, m.mountpoint);
  for (const b of p.roBinds) a.push("--ro-bind", b.host, b.image);
  // Root inside keeps only what package installs and file ownership need (Docker's default set); without
  // CAP_SYS_ADMIN it cannot mount a fresh proc or sysfs, nor remount the read-only layers and /proc rw.
  a.push("--cap-drop", "ALL");
  if (p.identity.uid === 0) for (const c of ROOT_CAPABILITIES) a.push("--cap-add", c);
  a.push("--clearenv");
  for (const [k, v] of Object.entries(p.env)) a.push("--setenv", k, v);
  a.push("--chdir", p.cwd);
  return a;
}
