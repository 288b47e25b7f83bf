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
  a.push("--dev", p.devPath);
  a.push("--perms", "1777", "--tmpfs", p.tmpPath);
  for (const m of p.layerMounts) a.push("--ro-bind", m.source, m.mountpoint);
  for (const b of p.roBinds) a.push("--ro-bind", b.host, b.image);
  a.push("--clearenv");
  for (const [k, v] of Object.entries(p.env)) a.push("--setenv", k, v);
  a.push("--chdir", p.cwd);
  return a;
}
