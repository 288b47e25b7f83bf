"""Attribute coercion: the values a BUCK file passes to a rule, checked against the rule's `attrs.*` as Buck2 does."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from . import fsdeps
from .config import DriverError, Label, Project, parse_label
from .values import describe, tag


@dataclass(frozen=True)
class DepRef:
    label: Label
    kind: str  # dep | exec_dep | toolchain_dep
    required: tuple[int, ...]  # provider ids
    attr: str = field(default="", compare=False)  # the attribute it came from, for errors


@dataclass(frozen=True)
class SourceDep:
    label: Label


@dataclass(frozen=True)
class SourcePath:
    path: str  # project-relative
    cell_relative: str
    package_relative: str  # Buck2's `short_path` of a source artifact


@dataclass(frozen=True)
class LabelRef:
    label: Label


@dataclass
class CoerceContext:
    project: Project
    cell: str
    package: str
    subject: str  # the target label
    attr: str


def type_name(spec: dict) -> str:
    args = spec["args"]
    pos = args["positional"] if isinstance(args, dict) else []
    inner = ", ".join(type_name(p) for p in pos if tag(p) == "attr")
    if spec["type"] == "enum" and pos:
        inner = repr(pos[0])
    return f"attrs.{spec['type']}({inner})"


def _fail(c: CoerceContext, spec: dict, v: Any, expected: str) -> DriverError:
    return DriverError(
        c.subject,
        f"error coercing attribute `{c.attr}` of type `{type_name(spec)}`",
        [f"  expected: {expected}", f"  found:    {describe(v)} (type `{_starlark_type(v)}`)"],
    )


def _starlark_type(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "list"
    if v is None:
        return "NoneType"
    t = tag(v)
    if t == "opaque":
        return v["type"]
    return t or type(v).__name__


def _resolve_select(v: Any, c: CoerceContext) -> Any:
    if tag(v) != "select":
        return v
    branches = {k: x for k, x in v["branches"]["items"]}
    if "DEFAULT" not in branches:
        raise DriverError(c.subject, f"attribute `{c.attr}`: select() without a \"DEFAULT\" branch; the local driver has no configuration and only resolves DEFAULT")
    return _resolve_select(branches["DEFAULT"], c)


_OK = object()


def _not_any_literal(v: Any) -> Any:
    """The first part of `v` that Buck2's `attrs.any()` cannot hold (it takes literals only: None, bool, int, string,
    list, tuple, dict; floats, structs, functions, artifacts and labels fail in open-source Buck2), else _OK."""
    if v is None or isinstance(v, (bool, int, str)):
        return _OK
    if isinstance(v, list):
        items = v
    elif tag(v) == "dict":
        items = [x for kv in v["items"] for x in kv]
    else:
        return v
    for x in items:
        bad = _not_any_literal(x)
        if bad is not _OK:
            return bad
    return _OK


def coerce(spec: dict, v: Any, c: CoerceContext) -> Any:
    v = _resolve_select(v, c)
    ty = spec["type"]
    args = spec["args"] if isinstance(spec["args"], dict) else {"positional": [], "named": {}}
    pos = args["positional"]
    named_d = args["named"]
    if ty == "string":
        if not isinstance(v, str):
            raise _fail(c, spec, v, "a string")
        return v
    if ty == "int":
        if not isinstance(v, int) or isinstance(v, bool):
            raise _fail(c, spec, v, "an int")
        return v
    if ty == "bool":
        if not isinstance(v, bool):
            raise _fail(c, spec, v, "a bool")
        return v
    if ty in ("any", "arg", "regex"):
        if ty in ("arg", "regex") and not isinstance(v, str):
            raise _fail(c, spec, v, "a string")
        if ty == "any":
            bad = _not_any_literal(v)
            if bad is not _OK:
                raise _fail(c, spec, bad, "None, a bool, an int, a string, or a list, tuple or dict of them")
        return v
    if ty == "enum":
        values = pos[0] if pos else []
        if not isinstance(v, str) or v not in values:
            raise _fail(c, spec, v, "one of " + ", ".join(f'"{x}"' for x in values))
        return v
    if ty in ("list", "set", "tuple"):
        if not isinstance(v, list):
            raise _fail(c, spec, v, "a list")
        if ty == "tuple":
            if len(v) != len(pos):
                raise _fail(c, spec, v, f"a tuple of {len(pos)} elements")
            return [coerce(p, x, c) for p, x in zip(pos, v)]
        return [coerce(pos[0], x, c) for x in v]
    if ty == "dict":
        if tag(v) != "dict":
            raise _fail(c, spec, v, "a dict")
        return {"__strata": "dict", "items": [[coerce(pos[0], k, c), coerce(pos[1], x, c)] for k, x in v["items"]]}
    if ty == "option":
        return None if v is None else coerce(pos[0], v, c)
    if ty == "one_of":
        for p in pos:
            try:
                return coerce(p, v, c)
            except DriverError:
                continue
        raise _fail(c, spec, v, "one of " + ", ".join(type_name(p) for p in pos))
    if ty == "default_only":
        return coerce(pos[0], v, c)
    if ty in ("dep", "exec_dep", "toolchain_dep"):
        if not isinstance(v, str):
            raise _fail(c, spec, v, "a target label string")
        providers = named_d.get("providers") or []
        required = tuple(p["pid"] for p in providers if tag(p) == "provider_type")
        return DepRef(parse_label(c.project, v, c.cell, c.package, c.subject), ty, required, c.attr)
    if ty == "label":
        if not isinstance(v, str):
            raise _fail(c, spec, v, "a target label string")
        return LabelRef(parse_label(c.project, v, c.cell, c.package, c.subject))
    if ty == "source":
        if not isinstance(v, str):
            raise _fail(c, spec, v, "a source path or a target label")
        if v.startswith(":") or "//" in v:
            return SourceDep(parse_label(c.project, v, c.cell, c.package, c.subject))
        return _source_path(v, bool(named_d.get("allow_directory")), c)
    raise DriverError(c.subject, f"attribute `{c.attr}`: the local driver does not support `attrs.{ty}`")


def _source_path(v: str, allow_directory: bool, c: CoerceContext) -> SourcePath:
    norm = os.path.normpath(v)
    if os.path.isabs(v) or norm == ".." or norm.startswith("../") or norm == ".":
        raise DriverError(c.subject, f"attribute `{c.attr}`: source path `{v}` must be relative to the package and stay inside it")
    pkg_dir = c.project.package_dir(c.cell, c.package)
    full = os.path.join(pkg_dir, norm)
    parts = norm.split("/")
    for i in range(1, len(parts)):
        sub = "/".join(parts[:i])
        subpkg = f"{c.package}/{sub}" if c.package else sub
        if c.project.buildfile(c.cell, subpkg):
            raise DriverError(
                c.subject,
                f"attribute `{c.attr}`: source file `{v}` belongs to package `{c.cell}//{subpkg}` (it has its own build file), "
                f"so it crosses a package boundary from `{c.cell}//{c.package}`",
            )
    if not fsdeps.lexists(full):
        # Buck2's wording; the driver replaces the rule's attribute by the keyword the user wrote when it finds it
        e = DriverError(c.subject, f"attribute `{c.attr}`: source file `{v}` does not exist as a member of package `{c.cell}//{c.package}` (looked for `{os.path.relpath(full, c.project.root)}`)")
        e.missing_source = v
        raise e
    if fsdeps.isdir(full) and not allow_directory:
        raise DriverError(c.subject, f"attribute `{c.attr}`: source `{v}` is a directory; the attribute is `attrs.source()` without `allow_directory = True`")
    cell_rel = f"{c.package}/{norm}" if c.package else norm
    return SourcePath(os.path.relpath(full, c.project.root), cell_rel, norm)


def collect_refs(v: Any, out: list) -> None:
    if isinstance(v, (DepRef, SourceDep)):
        out.append(v)
    elif isinstance(v, list):
        for x in v:
            collect_refs(x, out)
    elif tag(v) == "dict":
        for k, x in v["items"]:
            collect_refs(k, out)
            collect_refs(x, out)
