"""Source rewriting that gives the driver's Label and Dependency values Buck2's behaviour where starlark-rust's
built-in values cannot.

Buck2 implements `Label`, `TargetLabel` and `Dependency` as native types with their own attributes, `str()` and
indexing. starlark-pyo3 can create no new value types: a struct cannot have a custom `str()` or support `dep[P]`,
and a dict (which supports `dep[P]`, `P in dep`, `dep.get(P)`) cannot have attributes. So a dependency is a dict and
a label a plain-data struct (hashable, equal when the labels are), and a few expressions in .bzl files are routed
through bridge functions that know these values:

- `x.label`, `x.providers`, `x.sub_target`, `x.raw_target`, `x.configured_target`, `x.format`, `x.outputs`
  (cmd_args' `outputs` attribute is computed when read) become `STRATA_INTERNAL_dot(x, "name")`;
- `str(x)` becomes `STRATA_INTERNAL_str(x)`;
- `a % b` becomes `STRATA_INTERNAL_mod(a, b)`.

Each rewrite keeps line numbers (newlines are preserved), only columns move. An error snippet on a rewritten line
shows the rewritten text. Python's `ast` parses Starlark's syntax; a file it cannot parse is left unchanged (the
attributes above then fail as on any struct or dict)."""
from __future__ import annotations

import ast

DOT_NAMES = {"label", "providers", "sub_target", "raw_target", "configured_target", "format", "outputs"}
DOT_FN = "STRATA_INTERNAL_dot"
STR_FN = "STRATA_INTERNAL_str"
MOD_FN = "STRATA_INTERNAL_mod"
HELPERS = [DOT_FN, STR_FN, MOD_FN]


def _offsets(src: str) -> list[int]:
    """Character offset of each line start (1-based line numbers index this list from 1)."""
    starts = [0, 0]
    for line in src.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    return starts


def rewrite(src: str) -> str:
    if not any(f".{n}" in src for n in DOT_NAMES) and "str(" not in src and "%" not in src:
        return src
    try:
        tree = ast.parse(src)
    except (SyntaxError, ValueError):
        return src
    starts = _offsets(src)
    lines = src.splitlines(keepends=True)

    def pos(lineno: int, col_bytes: int) -> int:
        # ast columns count UTF-8 bytes
        line = lines[lineno - 1] if lineno - 1 < len(lines) else ""
        return starts[lineno] + len(line.encode("utf-8")[:col_bytes].decode("utf-8", errors="ignore"))

    # (offset, order, kind, payload): inserts at one offset are applied outermost first
    edits: list[tuple[int, int, str, object]] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.JoinedStr, ast.FormattedValue)):
            continue
        if isinstance(node, ast.Attribute) and node.attr in DOT_NAMES and isinstance(node.ctx, ast.Load):
            start = pos(node.lineno, node.col_offset)
            vend = pos(node.value.end_lineno, node.value.end_col_offset)  # type: ignore[arg-type]
            end = pos(node.end_lineno, node.end_col_offset)  # type: ignore[arg-type]
            dot = src.rfind(".", vend, end)  # after any `)` that closes a parenthesised value
            if dot < 0:
                continue
            edits.append((start, -end, "insert", f"{DOT_FN}("))
            edits.append((dot, 0, "replace", (end, f', "{node.attr}")')))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "str":
            s = pos(node.func.lineno, node.func.col_offset)
            edits.append((s, 0, "replace", (s + 3, STR_FN)))
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            start = pos(node.lineno, node.col_offset)
            lend = pos(node.left.end_lineno, node.left.end_col_offset)  # type: ignore[arg-type]
            rstart = pos(node.right.lineno, node.right.col_offset)
            end = pos(node.end_lineno, node.end_col_offset)  # type: ignore[arg-type]
            between = src[lend:rstart]
            op = _operator_index(between)
            if op is None:
                continue
            edits.append((start, -end, "insert", f"{MOD_FN}(("))
            edits.append((lend + op, 0, "replace", (lend + op + 1, "), (")))
            edits.append((end, 1, "insert", "))"))
    if not edits:
        return src
    edits.sort(key=lambda e: (e[0], e[1]))
    out: list[str] = []
    cur = 0
    for offset, _, kind, payload in edits:
        if offset < cur:
            return src  # overlapping edits: never expected; leave the file as it is rather than corrupt it
        out.append(src[cur:offset])
        if kind == "insert":
            out.append(str(payload))
            cur = offset
        else:
            stop, text = payload  # type: ignore[misc]
            removed = src[offset:stop]
            out.append(text + "\n" * removed.count("\n"))
            cur = stop
    out.append(src[cur:])
    return "".join(out)


def _operator_index(between: str) -> int | None:
    """Where the `%` is in the text between a `%` operation's operands (which may hold parentheses and comments)."""
    i = 0
    while i < len(between):
        c = between[i]
        if c == "#":
            nl = between.find("\n", i)
            if nl < 0:
                return None
            i = nl
        elif c == "%":
            return i
        i += 1
    return None


def _matching_paren(text: str, open_at: int) -> int:
    """Index of the `)` closing the `(` at `open_at`, skipping string literals; -1 when unbalanced."""
    depth, i, quote = 0, open_at, ""
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def _last_top_level_comma(text: str) -> int:
    depth, quote, last = 0, "", -1
    for i, c in enumerate(text):
        if quote:
            if c == quote and text[i - 1] != "\\":
                quote = ""
        elif c in "\"'":
            quote = c
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "," and depth == 0:
            last = i
    return last


def unrewrite(text: str) -> str:
    """Undoes the rewrites in an error message, so source snippets read as the user wrote them."""
    text = text.replace(f"{STR_FN}(", "str(")
    for fn in (DOT_FN, MOD_FN):
        search_from = 0
        while True:
            at = text.find(f"{fn}(", search_from)
            if at < 0:
                break
            open_at = at + len(fn)
            close = _matching_paren(text, open_at)
            inner = text[open_at + 1 : close] if close >= 0 else ""
            comma = _last_top_level_comma(inner)
            if close < 0 or comma < 0:
                # a snippet cut short ("..."): drop the helper's opening, keep what follows as written
                text = text[:at] + text[open_at + (2 if text.startswith("((", open_at) else 1) :]
                search_from = at
                continue
            left, right = inner[:comma].strip(), inner[comma + 1 :].strip()
            if fn == DOT_FN:
                replacement = f"{left}.{right.strip(chr(34))}"
            else:
                unwrap = lambda t: t[1:-1].strip() if t.startswith("(") and t.endswith(")") else t
                replacement = f"{unwrap(left)} % {unwrap(right)}"
            text = text[:at] + replacement + text[close + 1 :]
            search_from = at
    return text
