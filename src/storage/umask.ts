import { StrataError } from "../errors.js";

/**
 * A umask that takes the owner's execute bit makes every directory the runner creates untraversable, and
 * changes what access checks on installed files see; refuse it up front.
 */
export function checkUmask(label: string, umask = process.umask()): void {
  if ((umask & 0o100) !== 0) {
    throw new StrataError({
      label,
      message: `refusing to run with umask 0${umask.toString(8).padStart(3, "0")}: it denies the owner the execute bit, so new directories could not be entered`,
      expected: "a umask without the 0100 bit (e.g. 022)",
      found: `0${umask.toString(8).padStart(3, "0")}`,
      notes: ["run `umask 022` first"],
    });
  }
}
