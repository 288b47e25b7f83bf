"""Loading packages and targets (Buck2: BUCK files, `rule()` calls, glob, visibility, target patterns)."""
from __future__ import annotations

import json
import os
import platform
import re
from dataclasses import dataclass, field
from typing import Any

from . import fsdeps
from .coerce import CoerceContext, coerce, collect_refs
from .config import DriverError, Label, Project, parse_label
from .trace import frames_of_stack
from .interp import StarlarkErrorWithCause, error_from_starlark
from .values import describe, tag

BUILTIN_ATTRS = {
    "name", "visibility", "within_view", "metadata", "tests", "modifiers", "target_compatible_with",
    "compatible_with", "exec_compatible_with", "default_target_platform",
}
_NAME_RE = re.compile(r"^[A-Za-z0-9,.=\-/~@!+$_]+$")


@dataclass
class RuleDef:
    rid: int
    attrs: dict[str, dict]
    is_toolchain: bool
    module_id: str
    name: str | None = None
    alias: str | None = None


@dataclass
class Target:
    label: Label
    rule: RuleDef
    attrs: dict[str, Any]
    visibility: list[str]
    refs: list = field(default_factory=list)
    site: str | None = None  # `path:line:col` of the call that defined it, in the user's build file


class LoadingMixin:
    """The Driver's part for loading; see driver.py for its state."""

    def _package_name(self):
        return self._buck_frame("package_name()").package

    def _rule_exists(self, name):
        f = self._buck_frame("rule_exists()")
        return name in self.packages.get((f.cell, f.package), {})

    def _read_config(self, section, key, default, root):
        top = self.interp.stack[-1] if self.interp.stack else None
        cell = self.project.root_cell if root or top is None or not top.cell else top.cell
        return self.project.cells[cell].config.get(section, {}).get(key, default)

    def _host_info(self):
        m = platform.machine()
        return {
            "os": {"is_linux": True, "is_macos": False, "is_windows": False, "is_freebsd": False, "is_unknown": False},
            "arch": {"is_x86_64": m == "x86_64", "is_aarch64": m in ("aarch64", "arm64"), "is_arm": False, "is_i386": False,
                     "is_riscv64": m == "riscv64", "is_unknown": m not in ("x86_64", "aarch64", "arm64", "riscv64")},
        }

    def _glob(self, include, exclude):
        f = self._buck_frame("glob()")
        pkg_dir = self.project.package_dir(f.cell, f.package)
        other_cells = {c.path for c in self.project.cells.values() if c.name != f.cell}

        def enters(dirpath: str, d: str) -> bool:
            """whether the package's files go on into `dirpath/d`: not another cell, package, ignored dir or buck-out"""
            if os.path.join(dirpath, d) in other_cells:
                return False
            rel_dir = os.path.relpath(dirpath, pkg_dir)
            sub_rel = d if rel_dir == "." else f"{rel_dir}/{d}"
            sub_pkg = f"{f.package}/{sub_rel}" if f.package else sub_rel
            return self.project.buildfile(f.cell, sub_pkg) is None and not self.project.is_ignored(os.path.relpath(os.path.join(dirpath, d), self.project.root)) and d != "buck-out"

        files = set()
        for start in _glob_starts(pkg_dir, include, enters):
            for dirpath, dirnames, filenames in fsdeps.walk(start):
                rel_dir = os.path.relpath(dirpath, pkg_dir)
                dirnames[:] = [d for d in sorted(dirnames) if enters(dirpath, d)]
                for n in filenames:
                    files.add(n if rel_dir == "." else f"{rel_dir}/{n}")
        inc = [_glob_re(p) for p in include]
        exc = [_glob_re(p) for p in exclude]
        return sorted(p for p in files if any(r.match(p) for r in inc) and not any(r.match(p) for r in exc))

    def _new_target(self, rid, kwargs, stack=""):
        site = self.interp.locator.location(frames_of_stack(stack)) if stack else None
        try:
            return self._guard(self._new_target_inner, rid, kwargs, site)
        except DriverError as e:
            e.location = e.location or site
            raise

    def _new_target_inner(self, rid, kwargs, site):
        rule = self.rules[rid]
        f = self._buck_frame("a rule")
        values = {k: v for k, v in kwargs["items"]}
        if rule.name is None:
            raise DriverError(
                f"{f.cell}//{f.package}",
                f"rule defined in `{rule.module_id}` is called, but it was never assigned to a top-level variable; "
                "Buck2 names a rule after the global it is assigned to (`my_rule = rule(...)`)",
            )
        name = values.get("name")
        if not isinstance(name, str):
            raise DriverError(f"{f.cell}//{f.package}", f"call to `{rule.name}`: missing or invalid `name` attribute (expected a string, found {describe(name)})")
        if not name or not _NAME_RE.match(name):
            raise DriverError(
                f"{f.cell}//{f.package}",
                f"Invalid target name `{name}`. Target names are non-empty strings and can only contain alpha numeric characters, "
                "and symbols `,`, `.`, `=`, `-`, `/`, `~`, `@`, `!`, `+`, `$`, and `_`. No other characters are allowed.",
            )
        label = parse_label(self.project, ":" + name, f.cell, f.package, f"{f.cell}//{f.package}")
        subject = str(label)
        pkg = self.packages.setdefault((f.cell, f.package), {})
        if name in pkg:
            raise DriverError(subject, f"Attempted to register target `{subject}` twice (both with rule `{pkg[name].rule.name}` and `{rule.name}`)",
                              [f"  first registered at {pkg[name].site}"] if pkg[name].site else [])
        coerced: dict[str, Any] = {}
        for k, v in values.items():
            if k in BUILTIN_ATTRS:
                continue
            if k not in rule.attrs:
                known = ", ".join(sorted(rule.attrs)) or "none"
                raise DriverError(subject, f"unknown attribute `{k}` for rule `{rule.name}`", [f"  the rule's attributes are: {known}"])
            spec = rule.attrs[k]
            if spec["type"] == "default_only":
                raise DriverError(subject, f"attribute `{k}` of rule `{rule.name}` is `attrs.default_only` and cannot be set")
            coerced[k] = coerce(spec, v, CoerceContext(self.project, f.cell, f.package, subject, k))
        for k, spec in rule.attrs.items():
            if k in coerced:
                continue
            if not spec["has_default"]:
                raise DriverError(subject, f"missing mandatory attribute `{k}` for rule `{rule.name}`")
            dcell = rule.module_id[1:].split("//", 1)[0]
            coerced[k] = coerce(spec, spec["default"], CoerceContext(self.project, dcell, "", subject, k)) if spec["default"] is not None else None
        vis = values.get("visibility") or []
        if not isinstance(vis, list) or not all(isinstance(x, str) for x in vis):
            raise DriverError(subject, f"attribute `visibility` must be a list of strings, found {describe(vis)}")
        t = Target(label, rule, coerced, vis, site=site)
        for v in coerced.values():
            collect_refs(v, t.refs)
        pkg[name] = t
        return None

    def load_package(self, cell: str, package: str) -> dict[str, Target]:
        key = (cell, package)
        if key in self.packages and key in getattr(self, "_loaded", set()):
            return self.packages[key]
        bf = self.project.buildfile(cell, package)
        if bf is None:
            names = " or ".join(f"`{n}`" for n in self.project.cells[cell].buildfile_names)
            raise DriverError(f"{cell}//{package}", f"package `{cell}//{package}` does not exist: no {names} in `{os.path.relpath(self.project.package_dir(cell, package), self.project.root) or '.'}`")
        self.packages[key] = {}
        self._loaded = getattr(self, "_loaded", set()) | {key}
        try:
            self.interp.eval_buildfile(cell, package, bf)
        except StarlarkErrorWithCause as e:
            raise error_from_starlark(self.interp.locator, e, f"{cell}//{package}") from None
        return self.packages[key]

    def get_target(self, label: Label, dependent: str) -> Target:
        pkg = self.load_package(label.cell, label.package)
        t = pkg.get(label.name)
        if t is None:
            near = ", ".join(sorted(pkg)[:20]) or "none"
            raise DriverError(dependent, f"unknown target `{label.target}`", [f"  package `{label.cell}//{label.package}` defines: {near}"])
        return t

    def check_visibility(self, dep: Target, user: Target) -> None:
        if dep.label.cell == user.label.cell and dep.label.package == user.label.package:
            return
        for pat in dep.visibility:
            if pat == "PUBLIC":
                return
            if _pattern_matches(self.project, pat, dep.label.cell, user.label):
                return
        raise DriverError(
            str(user.label),
            f"`{dep.label.target}` is not visible to `{user.label.target}` (run `{_invocation()} uquery --output-attribute visibility {dep.label.target}` to see its visibility)",
            [f"  visibility of `{dep.label.target}`: {json.dumps(dep.visibility)}"],
        )


def _invocation() -> str:
    """How users call this driver (`npx strata local`, set by the embedding CLI), for the commands errors suggest."""
    return os.environ.get("BUCK2_LOCAL_INVOCATION") or "buck2"


def _path_line(site: str) -> tuple[str, int]:
    path, line, _ = site.rsplit(":", 2)
    return path, int(line)


def _norm_attr(v: Any) -> Any:
    """An encoded `attrs.*` value with its dict-encoded arguments turned into plain Python dicts."""
    if tag(v) == "attr":
        args = {k: x for k, x in v["args"]["items"]}
        named = {k: _norm_attr(x) for k, x in args["named"]["items"]}
        return {"__strata": "attr", "type": v["type"], "has_default": v["has_default"], "default": v["default"],
                "args": {"positional": [_norm_attr(x) for x in args["positional"]], "named": named}}
    if isinstance(v, list):
        return [_norm_attr(x) for x in v]
    return v


def _glob_starts(pkg_dir: str, include: list, enters) -> list[str]:
    """Where a glob's walk starts: a pattern's matches lie under its leading literal directories (`dist/bundle` of
    `dist/bundle/*.js`), so only those are walked and listed, and a file added elsewhere changes nothing the
    evaluation read. A pattern that starts with a wildcard walks the whole package."""
    prefixes: set[tuple[str, ...]] = set()
    for p in include:
        lit: list[str] = []
        for seg in p.split("/")[:-1]:
            if seg in ("", ".", "..") or any(c in seg for c in "*?[]{}"):
                break
            lit.append(seg)
        if not lit:
            return [pkg_dir]
        prefixes.add(tuple(lit))
    starts = []
    for pre in sorted(prefixes):
        if any(len(o) < len(pre) and pre[: len(o)] == o for o in prefixes):
            continue  # under another prefix, walked with it
        dirpath = pkg_dir
        for seg in pre:
            # the walk enters real directories only (not symlinks to them), as os.walk does
            if fsdeps.kind(os.path.join(dirpath, seg)) != "dir" or not enters(dirpath, seg):
                break
            dirpath = os.path.join(dirpath, seg)
        else:
            starts.append(dirpath)
    return starts


def _glob_re(pattern: str) -> re.Pattern:
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out += "(?:.*/)?"
            i += 3
        elif pattern.startswith("**", i):
            out += ".*"
            i += 2
        elif pattern[i] == "*":
            out += "[^/]*"
            i += 1
        elif pattern[i] == "?":
            out += "[^/]"
            i += 1
        else:
            out += re.escape(pattern[i])
            i += 1
    return re.compile(out + r"\Z")


def _pattern_matches(project: Project, pat: str, cell: str, label: Label) -> bool:
    body = pat
    if "//" in body:
        alias, rest = body.split("//", 1)
        c = project.aliases.get(alias.lstrip("@"), alias) if alias else cell
    else:
        return False
    if c != label.cell:
        return False
    if rest.endswith("/...") or rest == "...":
        base = rest[:-4] if rest != "..." else ""
        base = base.strip("/")
        return base == "" or label.package == base or label.package.startswith(base + "/")
    if rest.endswith(":"):
        return label.package == rest[:-1].strip("/")
    if ":" in rest:
        p, n = rest.split(":", 1)
        if n == "*":
            return label.package == p.strip("/")
        return label.package == p.strip("/") and label.name == n
    return False
