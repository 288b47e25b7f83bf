// `--env K=V` options into a map; a malformed pair is a user error.
import { StrataError } from "../errors.js";

export function parseEnvPairs(pairs: string[], label: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const p of pairs) {
    const i = p.indexOf("=");
    if (i <= 0) throw new StrataError({ label, message: `invalid --env value`, expected: "NAME=VALUE", found: JSON.stringify(p) });
    env[p.slice(0, i)] = p.slice(i + 1);
  }
  return env;
}
