// Mode parsing: an integer, an octal string ("0755"), or a symbolic chmod string ("a+rx", "u=rw,go=r", "g=u").
// Hand-written: the npm candidates are little used and none offers chmod's `X` with an explicit directory flag.
// Symbolic modes apply to a base of 0 (the feature's file is new), and a clause without who (`+x`) means `a`:
// no umask, so the result depends only on the string.

export class ModeError extends Error {}

const WHO_BITS = { u: 0o4700, g: 0o2070, o: 0o1007 } as const;
const RWX_MASK = { u: 0o700, g: 0o070, o: 0o007 } as const;
const SHIFT = { u: 6, g: 3, o: 0 } as const;
type Who = keyof typeof WHO_BITS;

/** Applies a symbolic mode string to `base`. `isDir` decides what `X` means together with existing x bits. */
export function applySymbolicMode(base: number, spec: string, isDir: boolean): number {
  if (/^[0-7]{1,4}$/.test(spec)) return parseInt(spec, 8);
  let mode = base & 0o7777;
  if (spec.trim() === "") throw new ModeError(`empty mode string`);
  for (const clause of spec.split(",")) {
    const m = /^([ugoa]*)((?:[-+=](?:[ugo]|[rwxXst]*))+)$/.exec(clause);
    if (m === null) throw new ModeError(`invalid mode clause "${clause}" in "${spec}" (expected e.g. "u+rwx", "go=r", "a-w")`);
    const whoText = m[1]!;
    const whos: Who[] = whoText === "" || whoText.includes("a") ? ["u", "g", "o"] : ([...new Set(whoText)] as Who[]);
    const actions = m[2]!.match(/[-+=](?:[ugo]|[rwxXst]*)/g)!;
    for (const action of actions) {
      const op = action[0]!;
      const perms = action.slice(1);
      let bits = 0;
      if (perms.length === 1 && "ugo".includes(perms)) {
        const src = ((mode & RWX_MASK[perms as Who]) >> SHIFT[perms as Who]) & 0o7;
        for (const w of whos) bits |= src << SHIFT[w];
      } else {
        for (const p of perms) {
          for (const w of whos) {
            const sh = SHIFT[w];
            if (p === "r") bits |= 0o4 << sh;
            else if (p === "w") bits |= 0o2 << sh;
            else if (p === "x") bits |= 0o1 << sh;
            else if (p === "X") {
              if (isDir || (mode & 0o111) !== 0) bits |= 0o1 << sh;
            } else if (p === "s") {
              if (w === "u") bits |= 0o4000;
              if (w === "g") bits |= 0o2000;
            } else if (p === "t") {
              if (w === "o") bits |= 0o1000;
            }
          }
        }
      }
      if (op === "+") mode |= bits;
      else if (op === "-") mode &= ~bits;
      else {
        let clear = 0;
        for (const w of whos) clear |= WHO_BITS[w];
        mode = (mode & ~clear) | bits;
      }
    }
  }
  return mode & 0o7777;
}

export type ModeSpec = number | string | null | undefined;

/** The permission bits for a feature's `mode` attribute; `fallback` when it is null or absent. */
export function resolveMode(spec: ModeSpec, isDir: boolean, fallback: number): number {
  if (spec === null || spec === undefined) return fallback;
  if (typeof spec === "number") {
    if (!Number.isInteger(spec) || spec < 0 || spec > 0o7777) throw new ModeError(`mode ${spec} is not within 0..0o7777`);
    return spec;
  }
  return applySymbolicMode(0, spec, isDir);
}

/** For schema refinement: is this a mode string we can parse? */
export function isValidModeString(spec: string): boolean {
  try {
    applySymbolicMode(0, spec, false);
    return true;
  } catch {
    return false;
  }
}

export function formatMode(mode: number): string {
  return "0o" + mode.toString(8).padStart(3, "0");
}
