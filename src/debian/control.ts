// Debian control data (deb822): paragraphs of `Field: value` lines, continuation lines starting with a space.
// Used for the archive's Packages and Release files and for dpkg's status database.

export type Paragraph = Map<string, string>;

/** The paragraphs of a deb822 text; field names keep their case, values are trimmed (continuations joined by "\n"). */
export function parseParagraphs(text: string): Paragraph[] {
  const out: Paragraph[] = [];
  let cur: Paragraph | null = null;
  let last: string | null = null;
  for (const line of text.split("\n")) {
    if (line.trim() === "") {
      if (cur !== null && cur.size > 0) out.push(cur);
      cur = null;
      last = null;
      continue;
    }
    if (line.startsWith("#")) continue;
    if ((line.startsWith(" ") || line.startsWith("\t")) && cur !== null && last !== null) {
      cur.set(last, `${cur.get(last)}\n${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    cur ??= new Map();
    last = line.slice(0, colon);
    cur.set(last, line.slice(colon + 1).trim());
  }
  if (cur !== null && cur.size > 0) out.push(cur);
  return out;
}

export interface Relation {
  name: string;
  /** ":any", ":native" or an architecture, when the relation names one */
  archQualifier?: string;
  op?: string;
  version?: string;
}

/** `a (>= 1) | b, c:any` → [[a>=1, b], [c]]: groups of alternatives. */
export function parseRelations(field: string | undefined): Relation[][] {
  if (field === undefined || field.trim() === "") return [];
  return field
    .split(",")
    .map((group) =>
      group
        .split("|")
        .map((alt) => {
          const m = /^\s*([a-z0-9][a-z0-9+.-]*)(?::([a-z0-9-]+))?\s*(?:\(\s*(<<|<=|=|>=|>>)\s*([^)\s]+)\s*\))?\s*(?:\[[^\]]*\])?\s*(?:<[^>]*>)?\s*$/.exec(alt.replace(/\n/g, " "));
          if (m === null) return null;
          const r: Relation = { name: m[1]! };
          if (m[2] !== undefined) r.archQualifier = m[2];
          if (m[3] !== undefined) {
            r.op = m[3];
            r.version = m[4]!;
          }
          return r;
        })
        .filter((r): r is Relation => r !== null),
    )
    .filter((g) => g.length > 0);
}
