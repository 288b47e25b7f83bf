"""Project layout as Buck2 sees it: .buckconfig files, cells, build file names, and target labels."""
from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass, field

from . import fsdeps
from .rewrite import unrewrite


class DriverError(Exception):
    """A user error. `subject` is the label (or file) the error belongs to; it leads the `error:` line.
    `location` (`path:line:col`, the path relative to the project root) goes before `error:` when known, so an editor
    can open it; `snippet` and `trace` are the source excerpt and the user's call frames that follow the notes."""

    def __init__(self, subject: str, message: str, notes: list[str] | None = None, location: str | None = None,
                 snippet: list[str] | None = None, trace: list[str] | None = None):
        super().__init__(message)
        self.subject = subject
        self.message = message
        self.notes = notes or []
        self.location = location
        self.snippet = snippet or []
        self.trace = trace or []
        # a source attribute's value that does not exist: the error names the keyword the user wrote for it
        self.missing_source: str | None = None

    def render(self) -> str:
        head = f"error: {self.subject}: {self.message}" if self.subject else f"error: {self.message}"
        if self.location:
            head = f"{self.location}: {head}"
        # snippets of .bzl lines the driver rewrote are shown as the user wrote them
        return unrewrite("\n".join([head, *self.notes, *self.snippet, *self.trace]))


def parse_buckconfig(path: str) -> dict[str, dict[str, str]]:
    """The INI-like buckconfig format: [section], key = value, continuation lines indented, # and ; comments."""
    sections: dict[str, dict[str, str]] = {}
    current: dict[str, str] | None = None
    last_key: str | None = None
    with io.StringIO(fsdeps.read_text(path)) as f:
        for raw in f:
            line = raw.rstrip("\n")
            stripped = line.strip()
            if not stripped or stripped.startswith("#") or stripped.startswith(";"):
                continue
            if line[0] in " \t" and current is not None and last_key is not None and "=" not in stripped:
                current[last_key] += " " + stripped
                continue
            m = re.fullmatch(r"\[\s*([^\]]+?)\s*\]", stripped)
            if m:
                current = sections.setdefault(m.group(1), {})
                last_key = None
                continue
            if "=" in stripped and current is not None:
                k, v = stripped.split("=", 1)
                last_key = k.strip()
                current[last_key] = v.strip()
    return sections


@dataclass
class Cell:
    name: str
    path: str  # absolute
    config: dict[str, dict[str, str]]
    buildfile_names: list[str]
    ignore: list[str] = field(default_factory=list)  # `[project] ignore` of this cell's config, relative to its root


@dataclass
class Project:
    root: str
    root_cell: str
    cells: dict[str, Cell]
    aliases: dict[str, str]  # alias -> canonical cell name
    prelude_cell: str | None

    def resolve_cell(self, alias: str, subject: str = "") -> Cell:
        name = self.aliases.get(alias)
        if name is None:
            known = ", ".join(sorted(self.aliases))
            raise DriverError(subject, f"unknown cell alias `{alias}` (known: {known})")
        return self.cells[name]

    def cell_of_path(self, abspath: str) -> Cell:
        best: Cell | None = None
        for c in self.cells.values():
            if abspath == c.path or abspath.startswith(c.path.rstrip("/") + "/"):
                if best is None or len(c.path) > len(best.path):
                    best = c
        assert best is not None
        return best

    def package_dir(self, cell: str, package: str) -> str:
        base = self.cells[cell].path
        return os.path.join(base, package) if package else base

    def buildfile(self, cell: str, package: str) -> str | None:
        d = self.package_dir(cell, package)
        for n in self.cells[cell].buildfile_names:
            p = os.path.join(d, n)
            if fsdeps.isfile(p):
                return p
        return None

    def is_ignored(self, relpath: str) -> bool:
        """Whether a project-relative path is under an ignored directory; as in Buck2, each cell's own
        `[project] ignore` applies, relative to that cell's root."""
        abspath = os.path.normpath(os.path.join(self.root, relpath))
        cell = self.cell_of_path(abspath)
        rel = os.path.relpath(abspath, cell.path)
        return any(rel == i or rel.startswith(i + "/") for i in cell.ignore)


def _buildfile_names(cfg: dict[str, dict[str, str]]) -> list[str]:
    bf = cfg.get("buildfile", {})
    if "name_v2" in bf:
        return [n.strip() for n in bf["name_v2"].split(",") if n.strip()]
    if "name" in bf:
        names = [n.strip() for n in bf["name"].split(",") if n.strip()]
        return [x for n in names for x in (n + ".v2", n)]
    return ["BUCK.v2", "BUCK"]


def _ignore_list(cfg: dict[str, dict[str, str]]) -> list[str]:
    return [i.strip().strip("/") for i in cfg.get("project", {}).get("ignore", "").split(",") if i.strip().strip("/")]


def read_cell_config(cell_dir: str, required: bool = False) -> dict[str, dict[str, str]]:
    """A cell's .buckconfig with its .buckconfig.local (machine-local, not committed) laid over it, as Buck2 does."""
    main = os.path.join(cell_dir, ".buckconfig")
    cfg = parse_buckconfig(main) if required or fsdeps.isfile(main) else {}
    local = os.path.join(cell_dir, ".buckconfig.local")
    if fsdeps.isfile(local):
        for section, values in parse_buckconfig(local).items():
            cfg.setdefault(section, {}).update(values)
    return cfg


def load_project(root: str) -> Project:
    root = os.path.abspath(root)
    root_cfg = read_cell_config(root, required=True)
    cells_sec = dict(root_cfg.get("repositories", {}))
    cells_sec.update(root_cfg.get("cells", {}))
    root_name = next((k for k, v in cells_sec.items() if os.path.normpath(os.path.join(root, v)) == root), "root")
    cells_sec.setdefault(root_name, ".")
    cells: dict[str, Cell] = {}
    aliases: dict[str, str] = {}
    by_path: dict[str, str] = {}
    for alias, rel in cells_sec.items():
        path = os.path.normpath(os.path.join(root, rel))
        canonical = by_path.setdefault(path, alias if path != root else root_name)
        aliases[alias] = canonical
        if canonical in cells:
            continue
        cfg = root_cfg if path == root else read_cell_config(path)
        cells[canonical] = Cell(canonical, path, cfg, _buildfile_names(cfg), _ignore_list(cfg))
    for alias, target in root_cfg.get("cell_aliases", {}).items():
        if target in aliases:
            aliases[alias] = aliases[target]
    prelude = aliases.get("prelude")
    return Project(root, root_name, cells, aliases, prelude)


_NAME_RE = re.compile(r"^[A-Za-z0-9_.,=+\-~@!/$%^&#]+$")


@dataclass(frozen=True)
class Label:
    cell: str
    package: str
    name: str
    sub: tuple[str, ...] = ()

    @property
    def target(self) -> str:
        return f"{self.cell}//{self.package}:{self.name}"

    def __str__(self) -> str:
        return self.target + "".join(f"[{s}]" for s in self.sub)

    def without_sub(self) -> "Label":
        return Label(self.cell, self.package, self.name)


def parse_label(project: Project, text: str, cell: str, package: str, subject: str) -> Label:
    """Parse `:t`, `//p:t`, `cell//p:t`, `@cell//p:t`, with optional `[sub]` suffixes, relative to (cell, package)."""
    if not isinstance(text, str) or not text:
        raise DriverError(subject, f"invalid target label `{text}`: expected a non-empty string")
    body = text
    sub: list[str] = []
    m = re.search(r"((?:\[[^\[\]]+\])+)$", body)
    if m:
        sub = re.findall(r"\[([^\[\]]+)\]", m.group(1))
        body = body[: m.start()]
    if body.startswith(":"):
        c, p, n = cell, package, body[1:]
    elif "//" in body:
        alias, rest = body.split("//", 1)
        alias = alias.lstrip("@")
        c = project.resolve_cell(alias, subject).name if alias else cell
        if ":" in rest:
            p, n = rest.split(":", 1)
        else:
            p, n = rest, rest.rsplit("/", 1)[-1]
        if not n:
            raise DriverError(subject, f"invalid target label `{text}`: a package pattern is not a target")
    else:
        raise DriverError(subject, f"invalid target label `{text}`: expected `:name`, `//package:name` or `cell//package:name`")
    p = p.strip("/")
    if not n or not _NAME_RE.match(n) or ".." in p.split("/") or "[" in n or "]" in n:
        raise DriverError(subject, f"invalid target label `{text}`")
    return Label(c, p, n, tuple(sub))
