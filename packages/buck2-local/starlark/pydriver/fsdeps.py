"""Every file-system fact an evaluation depends on, so that the driver can reuse its result until one changes.

Evaluation reads the project only through this module: the text of BUCK, .bzl, .json and .buckconfig files
(`read_text`), what kind of thing a path is (`isfile`, `isdir`, `lexists`: build files, sources, the prelude) and
directory listings (`walk`: `glob()` and `...` patterns). Each answer is recorded; `deps()` returns them for the
driver's evaluation cache (src/evaluation-cache.ts), which takes a cached evaluation only while every recorded answer
is still the same. A new read of the project must go through here, or a change to what it reads would not be seen.

A file is recorded with the sha256 of its bytes and its identity (device, inode, size, mtime, ctime, mode, as
src/digest.ts's statIdentity writes it), which lets the driver skip rehashing an untouched file. The identity is
left empty when the file changed during the read or its ctime is too recent for the clock's granularity to show a
later edit."""
from __future__ import annotations

import hashlib
import os
import stat
import sys
import time

RACY_NS = 200_000_000

_files: dict[str, list] = {}
_kinds: dict[str, str] = {}
_lists: dict[str, list | None] = {}


def _identity(st: os.stat_result) -> str:
    kind = "dir" if stat.S_ISDIR(st.st_mode) else "file"
    return f"{kind}:{st.st_dev}:{st.st_ino}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_mode}"


def _read(path: str) -> bytes:
    path = os.path.abspath(path)
    before = os.stat(path)
    with open(path, "rb") as f:
        data = f.read()
    after = os.stat(path)
    ident = _identity(before)
    if _identity(after) != ident or time.time_ns() - before.st_ctime_ns <= RACY_NS:
        ident = ""
    _files[path] = [hashlib.sha256(data).hexdigest(), ident]
    return data


def read_text(path: str) -> str:
    """The file's text as `open(path, encoding="utf-8").read()` gives it (universal newlines)."""
    return _read(path).decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def note_interpreter(module) -> None:
    """The Python and the files of `module`'s package (starlark-pyo3), so that an upgrade of either is a change."""
    _read(os.path.realpath(sys.executable))
    pkg = os.path.dirname(os.path.abspath(module.__file__))
    for name in sorted(os.listdir(pkg)):
        if os.path.isfile(os.path.join(pkg, name)):
            _read(os.path.join(pkg, name))


def kind(path: str) -> str:
    """file, dir, other or missing; a symlink is `link-` and what it resolves to."""
    path = os.path.abspath(path)
    k = _kinds.get(path)
    if k is not None:
        return k
    try:
        st = os.lstat(path)
    except OSError:
        k = "missing"
    else:
        k = _kind_of(st.st_mode)
        if stat.S_ISLNK(st.st_mode):
            try:
                k = "link-" + _kind_of(os.stat(path).st_mode)
            except OSError:
                k = "link-missing"
    _kinds[path] = k
    return k


def _kind_of(mode: int) -> str:
    if stat.S_ISLNK(mode):
        return "link"
    return "dir" if stat.S_ISDIR(mode) else "file" if stat.S_ISREG(mode) else "other"


def isfile(path: str) -> bool:
    return kind(path) in ("file", "link-file")


def isdir(path: str) -> bool:
    return kind(path) in ("dir", "link-dir")


def lexists(path: str) -> bool:
    return kind(path) != "missing"


def walk(top: str):
    """`os.walk(top)` (top-down, the caller may prune `dirnames`, symlinks to directories listed but not entered)."""
    top = os.path.abspath(top)
    try:
        entries = list(os.scandir(top))
    except OSError:
        _lists[top] = None
        return
    listing = []
    dirs: list[str] = []
    files: list[str] = []
    for e in entries:
        try:
            is_dir = e.is_dir()
        except OSError:
            is_dir = False
        link = e.is_symlink()
        listing.append([e.name, is_dir, link])
        (dirs if is_dir else files).append(e.name)
    _lists[top] = sorted(listing)
    yield top, dirs, files
    links = {name for name, _, link in listing if link}
    for d in dirs:
        if d not in links:
            yield from walk(os.path.join(top, d))


def deps() -> dict:
    return {"files": _files, "kinds": _kinds, "lists": _lists}
