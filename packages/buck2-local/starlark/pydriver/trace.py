"""Starlark error text as the user should see it: the driver's own frames (bridge.bzl, the synthetic analysis and
native modules) removed, and a `path:line:col` an editor can open, in the user's BUCK file where there is one.

starlark-rust renders an error as an optional `Traceback` (frames `* FILE:LINE, in FN` each followed by the code
line), then `error: MESSAGE`, then an optional ` --> FILE:LINE:COL` and a source snippet. The driver names files by
their path relative to the project root, so those are the paths the user knows."""
from __future__ import annotations

import ast
import difflib
import os
import re
from dataclasses import dataclass, field

INTERNAL_PREFIXES = ("strata//", "@strata_analysis//", "@strata//")

_FRAME = re.compile(r"^\s*\* (.+?):(\d+), in (.+)$")
_ARROW = re.compile(r"^\s*--> (.+?):(\d+):(\d+)$")


@dataclass
class Frame:
    path: str
    line: int
    fn: str
    code: str = ""


@dataclass
class ParsedError:
    message: str = ""
    frames: list[Frame] = field(default_factory=list)
    arrow: tuple[str, int, int] | None = None
    snippet: list[str] = field(default_factory=list)


def is_internal(path: str) -> bool:
    return path.startswith(INTERNAL_PREFIXES) or path.endswith(" (export)")


def parse(text: str) -> ParsedError:
    out = ParsedError()
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        m = _FRAME.match(line)
        if m:
            code = lines[i + 1].strip() if i + 1 < len(lines) and not _FRAME.match(lines[i + 1]) and not lines[i + 1].startswith("error:") else ""
            out.frames.append(Frame(m.group(1), int(m.group(2)), m.group(3), code))
            i += 2 if code else 1
            continue
        if line.startswith("error: ") and not out.message:
            out.message = line[len("error: "):]
            if out.message.startswith("fail: "):
                out.message = out.message[len("fail: "):]
            i += 1
            continue
        m = _ARROW.match(line)
        if m and out.arrow is None:
            out.arrow = (m.group(1), int(m.group(2)), int(m.group(3)))
            j = i + 1
            while j < len(lines) and lines[j].strip() != "" and (lines[j].lstrip().startswith("|") or re.match(r"^\s*\d+ \|", lines[j])):
                j += 1
            out.snippet = [line] + lines[i + 1 : j]
            i = j
            continue
        i += 1
    return out


def frames_of_stack(text: str) -> list[Frame]:
    """Frames of a `call_stack()` text, without the driver's own."""
    return [f for f in parse(text).frames if not is_internal(f.path)]


class Locator:
    """Turns frames into `path:line:col` locations; knows which files are build files."""

    def __init__(self, root: str, buildfile_names: set[str]):
        self.root = root
        self.buildfile_names = buildfile_names
        # path -> (lines, columns on line 1) that the driver's injected `load()` added before the user's text
        self.injected: dict[str, tuple[int, int]] = {}

    def fix(self, path: str, line: int, col: int) -> tuple[int, int]:
        """A position in the evaluated text as a position in the user's file."""
        lines, cols = self.injected.get(path, (0, 0))
        line -= lines
        if line == 1 and lines == 0:
            col = max(1, col - cols)
        return max(1, line), col

    def snippet(self, arrow: tuple[str, int, int], width: int) -> list[str]:
        """The user's line at `arrow` with a caret under the place, in starlark-rust's layout."""
        path, line, col = arrow
        text = self._line(path, line)
        gutter = " " * len(str(line))
        return [f"{gutter}--> {path}:{line}:{col}", f"{gutter} |", f"{line} | {text}", f"{gutter} | {' ' * (col - 1)}{'^' * max(1, width)}", f"{gutter} |"]

    def is_buildfile(self, path: str) -> bool:
        return os.path.basename(path) in self.buildfile_names

    def parse(self, text: str) -> ParsedError:
        """`parse`, with positions in the user's files (not the evaluated text) and the snippet from the user's file."""
        p = parse(text)
        for f in p.frames:
            f.line = self.fix(f.path, f.line, 1)[0]
        if p.arrow is not None and not is_internal(p.arrow[0]):
            path = p.arrow[0]
            line, col = self.fix(path, p.arrow[1], p.arrow[2])
            p.arrow = (path, line, col)
            width = max((l.count("^") for l in p.snippet), default=1)
            p.snippet = self.snippet(p.arrow, width)
        return p

    def _line(self, path: str, line: int) -> str:
        try:
            with open(os.path.join(self.root, path), encoding="utf-8") as f:
                for n, text in enumerate(f, 1):
                    if n == line:
                        return text.rstrip("\n")
        except OSError:
            pass
        return ""

    def column(self, f: Frame) -> int:
        text = self._line(f.path, f.line)
        code = f.code[:-3] if f.code.endswith("...") else f.code
        at = text.find(code) if code else -1
        if at < 0:
            at = len(text) - len(text.lstrip())
        return at + 1

    def location(self, frames: list[Frame], arrow: tuple[str, int, int] | None = None) -> str | None:
        """The innermost place in a build file, else the innermost place in any user file."""
        cands: list[tuple[str, int, int]] = [(f.path, f.line, self.column(f)) for f in frames if not is_internal(f.path)]
        if arrow is not None and not is_internal(arrow[0]):
            cands.append(arrow)
        for c in reversed(cands):
            if self.is_buildfile(c[0]):
                return f"{c[0]}:{c[1]}:{c[2]}"
        return f"{cands[-1][0]}:{cands[-1][1]}:{cands[-1][2]}" if cands else None

    def render_trace(self, frames: list[Frame]) -> list[str]:
        """A `Traceback` of the user's frames, or nothing when it would only repeat the location."""
        user = [f for f in frames if not is_internal(f.path)]
        if len(user) <= 1:
            return []
        out = ["Traceback (most recent call last):"]
        for f in user:
            out.append(f"  * {f.path}:{f.line}, in {f.fn}")
            if f.code:
                out.append(f"      {f.code}")
        return out

    # -------------------------------------------------------------------------------- call sites in the source

    def _calls_at(self, path: str, line: int) -> list[ast.Call]:
        try:
            with open(os.path.join(self.root, path), encoding="utf-8") as f:
                tree = ast.parse(f.read())
        except (OSError, SyntaxError, ValueError):
            return []
        return [n for n in ast.walk(tree) if isinstance(n, ast.Call) and n.lineno <= line <= (n.end_lineno or n.lineno)]

    def keyword_with_value(self, path: str, line: int, value: str) -> tuple[str, str, int, int] | None:
        """In the statement at `path:line`, the innermost call with a keyword argument whose value is the string
        `value` (or a list holding it): (function as written, keyword, line, col). The statement's calls include
        those nested in it on later lines (a multi-line `image.layer(...)` with `feature.install(src = ...)` inside)."""
        best = None
        for call in {id(c): c for outer in self._calls_at(path, line) for c in ast.walk(outer) if isinstance(c, ast.Call)}.values():
            for kw in call.keywords:
                vals = kw.value.elts if isinstance(kw.value, (ast.List, ast.Tuple)) else [kw.value]
                if kw.arg and any(isinstance(v, ast.Constant) and v.value == value for v in vals):
                    cand = (ast.unparse(call.func), kw.arg, kw.lineno, kw.col_offset + 1)
                    if best is None or (call.lineno, call.col_offset) > best[0]:
                        best = ((call.lineno, call.col_offset), cand)
        return best[1] if best else None

    def unknown_keywords(self, path: str, line: int, col: int, fn_path: str, fn_name: str) -> tuple[str, list[str], list[str]] | None:
        """For a call at `path:line:col` to `fn_name` defined in `fn_path`: (the callee as written, keywords it does
        not take, its parameters), when the definition and the call can be read."""
        params = None
        try:
            with open(os.path.join(self.root, fn_path), encoding="utf-8") as f:
                tree = ast.parse(f.read())
            for n in tree.body:
                if isinstance(n, ast.FunctionDef) and n.name == fn_name:
                    if n.args.kwarg is not None:
                        return None
                    params = [a.arg for a in n.args.posonlyargs + n.args.args + n.args.kwonlyargs]
        except (OSError, SyntaxError, ValueError):
            return None
        if params is None:
            return None
        for call in self._calls_at(path, line):
            if call.lineno == line and call.col_offset + 1 == col:
                unknown = [k.arg for k in call.keywords if k.arg is not None and k.arg not in params]
                return (ast.unparse(call.func), unknown, params) if unknown else None
        return None


def suggest(word: str, options: list[str]) -> str:
    near = difflib.get_close_matches(word, options, n=1)
    return f" (did you mean `{near[0]}`?)" if near else ""


_MISSING_PARAM = re.compile(r"^Missing parameter `([^`]+)` for call to `(.+)\.([A-Za-z_][A-Za-z0-9_]*)`$")
_PARSE_EXPECTED = re.compile(r"^(Parse error: unexpected .+?)(?: here)?, expected one of (.+)$")


def better_message(loc: Locator, p: ParsedError) -> tuple[str, list[str]]:
    """Buck2's message, made more precise where starlark-rust says less than the user needs: a keyword the callee
    does not take (starlark-rust reports only the parameter it then misses), and a parse error's fifty expected
    tokens (the snippet shows the line; the likely fix is named when it is a missing comma)."""
    msg = p.message
    m = _MISSING_PARAM.match(msg)
    if m and p.arrow is not None:
        found = loc.unknown_keywords(p.arrow[0], p.arrow[1], p.arrow[2], m.group(2), m.group(3))
        if found:
            callee, unknown, params = found
            names = ", ".join(f"`{u}`" for u in unknown)
            return (f"unexpected parameter {names} for call to `{callee}`{suggest(unknown[0], params)}",
                    [f"  `{callee}` takes: {', '.join(params)}", f"  ({msg})"])
    m = _PARSE_EXPECTED.match(msg)
    if m:
        head = m.group(1)
        expected = m.group(2)
        if expected.count('"') > 8:
            hint = " (a missing `,` before it?)" if '","' in expected.replace(" ", "") and "identifier" in head else ""
            return head + hint, []
    return msg, []
