// Runs a helper program (btrfs, cp, mount...) and collects its output. node:child_process rather than execa:
// the runner starts once per layer phase, and execa's load time would be a large share of a small build.
import { execFile } from "node:child_process";

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[]): Promise<ExecResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { encoding: "utf8", maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === "number" ? err.code : 127;
      resolve({ exitCode: code, stdout, stderr: err !== null && stderr === "" ? err.message : stderr });
    });
  });
}
