"""Integer literals whose form matters: `mode = 644` in a build file.

Once evaluated, `mode = 644` and `mode = 0o1204` are the same int, so only the source can tell a decimal number
written for octal from a meant mode. A `mode = <decimal literal>` other than 0..7 (the same in both bases) is refused
where the file is read; `0o`, `0x`, `0b` literals and strings are taken as written. The source is read with
Python's tokenizer (Starlark's tokens are a subset of Python's), so comments and strings are skipped and a keyword
and its value may sit on different lines. Twin of the runner's `strata lint` (src/cli/mode-literals.ts)."""
from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass

_DECIMAL = re.compile(r"[1-9][0-9_]*")
# every finding matches this (comments, line breaks and continuations may sit between `=` and the literal), so a
# file without a match needs no tokenizing: most files are read in microseconds
_CANDIDATE = re.compile(r"\bmode\s*=(?:[\s\\]|#[^\n]*)*[1-9]")
_SKIP = {tokenize.NL, tokenize.COMMENT}


@dataclass
class DecimalMode:
    line: int
    col: int  # 1-based, of the `mode` keyword
    text: str  # the literal as written
    message: str


def decimal_modes(src: str) -> list[DecimalMode]:
    """Each `mode = <decimal literal>` in `src`, in source order. A file the tokenizer cannot read to its end is
    checked up to that point (the evaluation reports the syntax error)."""
    if not _CANDIDATE.search(src):
        return []
    found: list[DecimalMode] = []
    window: list[tokenize.TokenInfo] = []
    try:
        for tok in tokenize.generate_tokens(io.StringIO(src).readline):
            if tok.type in _SKIP:
                continue
            window = (window + [tok])[-4:]
            if len(window) < 3:
                continue
            name, eq, num = window[-3:]
            before = window[-4] if len(window) == 4 else None
            if (name.type == tokenize.NAME and name.string == "mode" and eq.string == "=" and num.type == tokenize.NUMBER
                    and _DECIMAL.fullmatch(num.string) and not (before is not None and before.string == ".")):
                value = int(num.string.replace("_", ""))
                if value >= 8:
                    found.append(DecimalMode(name.start[0], name.start[1] + 1, num.string, decimal_mode_message(num.string, value)))
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return found


_BITS = [(0o4000, "setuid"), (0o2000, "setgid"), (0o1000, "sticky")]


def _symbolic(mode: int) -> str:
    out = ""
    for shift, special, on, off in ((6, 0o4000, "s", "S"), (3, 0o2000, "s", "S"), (0, 0o1000, "t", "T")):
        bits = (mode >> shift) & 0o7
        out += "r" if bits & 4 else "-"
        out += "w" if bits & 2 else "-"
        if mode & special:
            out += on if bits & 1 else off
        else:
            out += "x" if bits & 1 else "-"
    return out


def decimal_mode_message(text: str, value: int) -> str:
    """What is wrong with `mode = <text>` (a decimal literal of `value`) and the two ways to fix it."""
    if value > 0o7777:
        return (f"`mode = {text}` is decimal, {value}, which is above 0o7777 and no mode; write the mode in octal "
                "(like 0o644) or as a string (like \"u=rw,go=r\")")
    octal = "%o" % value
    hint = f"0o{text}" if re.fullmatch(r"[0-7]{1,4}", text) else f"0o{octal}"
    bits = [name for bit, name in _BITS if value & bit]
    if bits:
        what = "/".join(bits) + (" bits" if len(bits) > 1 else " bit")
        return (f"`mode = {text}` is decimal, 0o{octal}, which sets the {what}; write {hint} for the permissions in "
                f"octal, or give the mode as a string (\"{octal}\") if the {what} {'are' if len(bits) > 1 else 'is'} meant")
    sym = _symbolic(value)
    return (f"`mode = {text}` is decimal, 0o{octal} ({sym}); write {hint} for the permissions in octal, or give the "
            f"mode as a string (\"{octal}\") if {sym} is meant")
