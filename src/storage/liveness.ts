// Whether the process that started a build is still running: pid plus its start time from /proc, so a
// recycled pid does not keep a crashed build's leftovers alive.
import { readFileSync } from "node:fs";

function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // field 22 (starttime), counted after the parenthesised command name, which may contain spaces
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

export function selfToken(): string {
  return `${process.pid} ${startTime(process.pid) ?? "?"}`;
}

export function tokenAlive(token: string): boolean {
  const [pid, start] = token.trim().split(" ");
  const n = Number(pid);
  if (!Number.isInteger(n) || n <= 0) return false;
  const now = startTime(n);
  return now !== undefined && now === start;
}
