// SOURCE_DATE_EPOCH, read as `strata compile` reads it (src/compile.ts), without loading the compiler: every
// `strata package` run is its own process, and loading the feature modules cost it ~0.15 s of start-up.
import { StrataError } from "../errors.js";
import { requestEnv } from "../request-context.js";

export function packagingEpoch(label: string): number {
  const raw = requestEnv()["SOURCE_DATE_EPOCH"];
  if (raw === undefined || raw === "") return 0;
  if (!/^\d+$/.test(raw)) {
    throw new StrataError({ label, message: "SOURCE_DATE_EPOCH is not a timestamp", expected: "a non-negative integer (seconds since 1970)", found: JSON.stringify(raw) });
  }
  return Number(raw);
}
