// `mode = <decimal literal>` in Starlark source. Once evaluated, `mode = 644` and `mode = 0o1204` are the same int,
// so only the source can tell a decimal number written for octal from a meant mode. Decimal literals other than 0..7
// (the same in both bases) are flagged; `0o`, `0x`, `0b` literals and strings are taken as written. A small
// tokenizer skips comments and strings, and lets a keyword and its value sit on different lines.
// Twin of the local driver's check (packages/buck2-local/starlark/pydriver/literals.py): same findings, same words.

export interface DecimalMode {
  line: number;
  /** 1-based, of the `mode` keyword */
  col: number;
  /** the literal as written */
  text: string;
  message: string;
}

type Kind = "name" | "number" | "op";
interface Token {
  kind: Kind;
  text: string;
  line: number;
  col: number;
}

const TWO_CHAR_OPS = new Set(["==", "!=", "<=", ">=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "**", "//", "->", "<<", ">>"]);
const THREE_CHAR_OPS = new Set(["//=", "<<=", ">>="]);

/** The name, number and operator tokens of Starlark source; comments, strings and whitespace are dropped. */
export function* tokens(src: string): Generator<Token> {
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const col = (at: number): number => [...src.slice(lineStart, at)].length + 1;
  while (i < src.length) {
    const c = src[i]!;
    if (c === "\n") {
      i++;
      line++;
      lineStart = i;
    } else if (c === " " || c === "\t" || c === "\r" || c === "\f" || c === "\\") {
      i++; // `\` before a newline joins lines; the newline itself is counted above
    } else if (c === "#") {
      while (i < src.length && src[i] !== "\n") i++;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i, i + 256))!;
      const word = m[0];
      const quote = src[i + word.length];
      if ((quote === '"' || quote === "'") && /^(?:r|b|rb|br)$/i.test(word)) {
        i = skipString(i + word.length);
      } else {
        yield { kind: "name", text: word, line, col: col(i) };
        i += word.length;
      }
    } else if (c === '"' || c === "'") {
      i = skipString(i);
    } else if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(src[i + 1] ?? ""))) {
      const m = /^(?:[0-9][0-9A-Za-z_]*(?:\.[0-9_]*)?|\.[0-9][0-9_]*)(?:[eE][+-]?[0-9_]+)?/.exec(src.slice(i, i + 256))!;
      yield { kind: "number", text: m[0], line, col: col(i) };
      i += m[0].length;
    } else {
      const three = src.slice(i, i + 3);
      const two = src.slice(i, i + 2);
      const op = THREE_CHAR_OPS.has(three) ? three : TWO_CHAR_OPS.has(two) ? two : c;
      yield { kind: "op", text: op, line, col: col(i) };
      i += op.length;
    }
  }

  /** Index after the string literal whose opening quote is at `at`; counts the newlines of a long string. */
  function skipString(at: number): number {
    const q = src[at]!;
    const triple = src.startsWith(q.repeat(3), at);
    const close = triple ? q.repeat(3) : q;
    let j = at + close.length;
    while (j < src.length) {
      const d = src[j]!;
      if (d === "\\") {
        if (src[j + 1] === "\n") {
          line++;
          lineStart = j + 2;
        }
        j += 2; // in a raw string too, `\` keeps the next quote inside the literal
        continue;
      }
      if (src.startsWith(close, j)) return j + close.length;
      if (d === "\n") {
        if (!triple) return j; // unterminated: the evaluation reports it
        line++;
        lineStart = j + 1;
      }
      j++;
    }
    return j;
  }
}

// every finding matches this (comments, line breaks and continuations may sit between `=` and the literal), so a
// file without a match needs no tokenizing
const CANDIDATE = /\bmode\s*=(?:[\s\\]|#[^\n]*)*[1-9]/;

/** Each `mode = <decimal literal>` in `src`, in source order. */
export function decimalModes(src: string): DecimalMode[] {
  if (!CANDIDATE.test(src)) return [];
  const found: DecimalMode[] = [];
  const window: Token[] = [];
  for (const tok of tokens(src)) {
    window.push(tok);
    if (window.length > 4) window.shift();
    if (window.length < 3) continue;
    const [name, eq, num] = window.slice(-3) as [Token, Token, Token];
    const before = window.length === 4 ? window[0] : undefined;
    if (name.kind === "name" && name.text === "mode" && eq.kind === "op" && eq.text === "=" && num.kind === "number" && /^[1-9][0-9_]*$/.test(num.text) && before?.text !== ".") {
      const value = Number(num.text.replaceAll("_", ""));
      if (value >= 8) found.push({ line: name.line, col: name.col, text: num.text, message: decimalModeMessage(num.text, value) });
    }
  }
  return found;
}

const BITS: [number, string][] = [
  [0o4000, "setuid"],
  [0o2000, "setgid"],
  [0o1000, "sticky"],
];

function symbolic(mode: number): string {
  let out = "";
  for (const [shift, special, on, off] of [
    [6, 0o4000, "s", "S"],
    [3, 0o2000, "s", "S"],
    [0, 0o1000, "t", "T"],
  ] as const) {
    const bits = (mode >> shift) & 0o7;
    out += bits & 4 ? "r" : "-";
    out += bits & 2 ? "w" : "-";
    out += mode & special ? (bits & 1 ? on : off) : bits & 1 ? "x" : "-";
  }
  return out;
}

/** What is wrong with `mode = <text>` (a decimal literal of `value`) and the two ways to fix it. */
export function decimalModeMessage(text: string, value: number): string {
  if (value > 0o7777) {
    return `\`mode = ${text}\` is decimal, ${value}, which is above 0o7777 and no mode; write the mode in octal (like 0o644) or as a string (like "u=rw,go=r")`;
  }
  const octal = value.toString(8);
  const hint = /^[0-7]{1,4}$/.test(text) ? `0o${text}` : `0o${octal}`;
  const bits = BITS.filter(([bit]) => value & bit).map(([, name]) => name);
  if (bits.length > 0) {
    const what = bits.join("/") + (bits.length > 1 ? " bits" : " bit");
    return (
      `\`mode = ${text}\` is decimal, 0o${octal}, which sets the ${what}; write ${hint} for the permissions in octal, ` +
      `or give the mode as a string ("${octal}") if the ${what} ${bits.length > 1 ? "are" : "is"} meant`
    );
  }
  const sym = symbolic(value);
  return `\`mode = ${text}\` is decimal, 0o${octal} (${sym}); write ${hint} for the permissions in octal, or give the mode as a string ("${octal}") if ${sym} is meant`;
}
