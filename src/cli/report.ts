// How a failed command ends: user errors print their `error: ...` text and exit 1; anything else is a bug, exit 2.
import { StrataError } from "../errors.js";

export function reportFailure(msg: string | undefined, err: Error | undefined): never {
  if (err instanceof StrataError) {
    process.stderr.write(err.message + "\n");
    process.exit(1);
  }
  if (err !== undefined) {
    process.stderr.write(`error: internal error in strata: ${err.message}\n${err.stack ?? ""}\n`);
    process.exit(2);
  }
  process.stderr.write(`error: ${msg ?? "invalid command line"}\nrun \`strata --help\` for usage\n`);
  process.exit(1);
}
