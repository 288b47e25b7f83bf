"""Loading Starlark files with starlark-rust: .bzl modules (cached, frozen), BUCK files, the prelude and the bridge.

Globals that Buck2 provides to every file (rule, attrs, DefaultInfo, ...) and the prelude's public names are brought
in by a `load()` prepended to line 1 of each file, so line numbers in errors stay those of the user's file."""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from typing import Callable

import starlark as sl

from . import fsdeps
from .config import DriverError, Project
from .literals import decimal_modes
from .rewrite import HELPERS, rewrite
from .trace import Locator, better_message

BRIDGE_ID = "@strata//bridge.bzl"
NATIVE_ID = "@strata//native.bzl"
BRIDGE_PATH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bridge")
# bridge.bzl is one module, kept in files by concern; evaluated as their concatenation, in this order
BRIDGE_PARTS = ("values.bzl", "providers.bzl", "artifacts.bzl", "rules.bzl", "analysis.bzl")
BRIDGE_PUBLIC = [
    "rule", "attrs", "provider", "provider_field", "DefaultInfo", "RunInfo", "ExternalRunnerTestInfo", "CommandExecutorConfig", "cmd_args",
    "ConfigurationInfo", "PlatformInfo", "ExecutionPlatformInfo", "ExecutionPlatformRegistrationInfo", "WorkerInfo", "WorkerRunInfo",
    "select", "select_map", "glob", "package_name", "get_base_path", "rule_exists", "read_config", "read_root_config", "host_info",
    "AnalysisContext", "Provider", "Artifact", "OutputArtifact", "Label", "TargetLabel", "ConfiguredTargetLabel", "Dependency",
    "ProviderCollection", "ArgLike", "CommandLineArgLike", "CellPath", "CellRoot", "Select", "AnalysisActions", "Promise",
    *HELPERS,
]

GLOBALS = sl.Globals.extended_by([
    sl.LibraryExtension.StructType, sl.LibraryExtension.RecordType, sl.LibraryExtension.EnumType,
    sl.LibraryExtension.Json, sl.LibraryExtension.Typing, sl.LibraryExtension.Print, sl.LibraryExtension.Map,
    sl.LibraryExtension.Filter, sl.LibraryExtension.Partial, sl.LibraryExtension.Debug, sl.LibraryExtension.CallStack,
])

_TOP_ASSIGN = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)\s*(?::[^=\n]+)?=(?!=)", re.M)
_TOP_DEF = re.compile(r"^def\s+([A-Za-z_][A-Za-z0-9_]*)", re.M)


def bzl_dialect(types: sl.DialectTypes = sl.DialectTypes.ENABLE) -> sl.Dialect:
    d = sl.Dialect.extended()
    d.enable_types = types
    d.enable_load_reexport = False
    return d


def bridge_dialect() -> sl.Dialect:
    """bridge.bzl declares Buck2's positional-only (`#[starlark(require = pos)]`) parameters with `/`."""
    d = bzl_dialect()
    d.enable_positional_only_arguments = True
    d.enable_keyword_only_arguments = True
    return d


def buck_dialect() -> sl.Dialect:
    d = sl.Dialect.extended()
    d.enable_def = False
    d.enable_types = sl.DialectTypes.DISABLE
    d.enable_top_level_stmt = False
    d.enable_load_reexport = False
    return d


@dataclass
class Frame:
    kind: str  # bzl | buck | analysis | bridge
    cell: str
    package: str  # for bzl: its directory in the cell
    path: str  # absolute file path ('' for synthetic)
    module_id: str


class StarlarkErrorWithCause(Exception):
    def __init__(self, text: str, cause: DriverError | None):
        super().__init__(text)
        self.text = text
        self.cause = cause


def error_from_starlark(loc: Locator, e: StarlarkErrorWithCause, subject: str) -> DriverError:
    """The user's view of a Starlark error: its message once, at `path:line:col` in the user's files, with the
    user's frames only (none of the driver's bridge or synthetic modules)."""
    p = loc.parse(e.text)
    location = loc.location(p.frames, p.arrow)
    trace = loc.render_trace(p.frames)
    cause = e.cause
    if cause is None:
        message, notes = better_message(loc, p)
        arrow_here = p.arrow is not None and location == f"{p.arrow[0]}:{p.arrow[1]}:{p.arrow[2]}"
        return DriverError(subject, message, notes, location, p.snippet if arrow_here else [], trace)
    location = cause.location or location
    message = cause.message
    if cause.missing_source is not None and location is not None:
        path, line, _ = location.rsplit(":", 2)
        kw = loc.keyword_with_value(path, int(line), cause.missing_source)
        if kw is not None:
            callee, arg, kline, kcol = kw
            message = re.sub(r"^attribute `[^`]+`", f"attribute `{arg}` of `{callee}`", message)
            location = f"{path}:{kline}:{kcol}"
    return DriverError(cause.subject or subject, message, cause.notes, location, cause.snippet, cause.trace or trace)


class Interpreter:
    def __init__(self, project: Project, callables: dict[str, Callable], on_export: Callable[[str], None]):
        self.project = project
        self.callables = callables
        self.modules: dict[str, sl.FrozenModule] = {}
        self.loading: list[str] = []
        self.stack: list[Frame] = []
        self.prelude_names: list[str] = []
        self.native_names: list[str] = []
        self.pending_error: DriverError | None = None
        self.synthetic: dict[str, sl.FrozenModule] = {}
        self.on_export = on_export
        self._loading_prelude = False
        self.file_loader = sl.FileLoader(self._load)
        self.locator = Locator(project.root, {n for c in project.cells.values() for n in c.buildfile_names})

    # ---------------------------------------------------------------- module ids and paths

    def resolve_load(self, module_id: str) -> tuple[str, str, str]:
        """(cell, cell-relative path, canonical id) of a load() string, relative to the file on top of the stack."""
        top = self.stack[-1]
        body = module_id
        if body.startswith(":"):
            cell, pkg, name = top.cell, top.package, body[1:]
        elif "//" in body:
            alias, rest = body.split("//", 1)
            alias = alias.lstrip("@")
            cell = self.project.resolve_cell(alias, top.module_id).name if alias else top.cell
            if ":" not in rest:
                raise DriverError(top.module_id, f"invalid load path `{module_id}`: expected `//package:file.bzl`")
            pkg, name = rest.split(":", 1)
        else:
            raise DriverError(top.module_id, f"invalid load path `{module_id}`: expected `//package:file.bzl`, `:file.bzl` or `cell//package:file.bzl`")
        pkg = pkg.strip("/")
        rel = f"{pkg}/{name}" if pkg else name
        return cell, rel, f"@{cell}//{pkg}:{name}"

    def _load(self, module_id: str) -> sl.FrozenModule:
        try:
            if module_id in self.synthetic:
                return self.synthetic[module_id]
            if module_id == BRIDGE_ID:
                return self.bridge()
            cell, rel, canonical = self.resolve_load(module_id)
            try:
                return self.load_bzl(cell, rel, canonical)
            except StarlarkErrorWithCause as e:
                # an error inside the loaded file: report it as that file's error, not as a failed load()
                raise error_from_starlark(self.locator, e, f"{cell}//{rel}") from None
        except DriverError as e:
            self.pending_error = self.pending_error or e
            raise

    # ---------------------------------------------------------------- evaluation

    def _module(self) -> sl.Module:
        m = sl.Module()
        for name, fn in self.callables.items():
            m.add_callable(name, fn)
        return m

    def _eval(self, m: sl.Module, filename: str, src: str, dialect: sl.Dialect) -> None:
        try:
            ast = sl.parse(filename, src, dialect)
            sl.eval(m, ast, GLOBALS, self.file_loader)
        except sl.StarlarkError as e:
            cause, self.pending_error = self.pending_error, None
            raise StarlarkErrorWithCause(str(e), cause) from None

    def bridge(self) -> sl.FrozenModule:
        if BRIDGE_ID not in self.modules:
            parts = []
            for part in BRIDGE_PARTS:
                with open(os.path.join(BRIDGE_PATH, part), encoding="utf-8") as f:
                    parts.append(f.read())
            src = "\n".join(parts)
            m = self._module()
            self.stack.append(Frame("bridge", "", "", BRIDGE_PATH, BRIDGE_ID))
            try:
                self._eval(m, "strata//bridge.bzl", src, bridge_dialect())
                self._export(m, src, "strata//bridge.bzl")
            finally:
                self.stack.pop()
            self.modules[BRIDGE_ID] = m.freeze()
        return self.modules[BRIDGE_ID]

    def _injected_load(self, kind: str, cell: str, src: str) -> str:
        own = set(_TOP_ASSIGN.findall(src)) | set(_TOP_DEF.findall(src))
        try:
            for ld in sl.parse("x", src, bzl_dialect()).loads():
                own |= set(ld.symbols.keys())
        except sl.StarlarkError:
            pass  # the real evaluation reports the syntax error
        parts = []
        names = [n for n in BRIDGE_PUBLIC if n not in own]
        # call_stack() as Buck2 numbers lines (the loads below may shift them by one): the bridge's strata_call_stack
        renamed = ["call_stack = 'strata_call_stack'"] if "call_stack" not in own else []
        parts.append(f'load("{BRIDGE_ID}", {", ".join([repr(n) for n in names] + renamed)})')
        use_prelude = self.prelude_names and cell != self.project.prelude_cell and not self._loading_prelude
        taken = set(names) | own
        if use_prelude:
            pn = [n for n in self.prelude_names if n not in taken]
            if pn:
                parts.append(f'load("@{self.project.prelude_cell}//:prelude.bzl", {", ".join(repr(n) for n in pn)})')
            taken |= set(pn)
            if kind == "buck":
                nn = [n for n in self.native_names if n not in taken]
                if nn:
                    parts.append(f'load("{NATIVE_ID}", {", ".join(repr(n) for n in nn)})')
        first = src.split("\n", 1)[0]
        if re.match(r"^(def|if|for|while|class)\b|^\s", first):
            # a compound statement cannot follow `;`: the loads get their own line (errors then report line + 1)
            return "; ".join(parts) + "\n"
        return "; ".join(parts) + "; "

    def _note_injected(self, display: str, prefix: str) -> str:
        self.locator.injected[display] = (prefix.count("\n"), 0 if prefix.endswith("\n") else len(prefix))
        return prefix

    def load_bzl(self, cell: str, rel: str, canonical: str) -> sl.FrozenModule:
        if canonical in self.modules:
            return self.modules[canonical]
        if canonical in self.loading:
            chain = " -> ".join(self.loading[self.loading.index(canonical):] + [canonical])
            raise DriverError(canonical, f"load cycle: {chain}")
        path = os.path.join(self.project.cells[cell].path, rel)
        if not fsdeps.isfile(path):
            raise DriverError(self.stack[-1].module_id if self.stack else canonical, f"cannot load `{canonical}`: file `{os.path.relpath(path, self.project.root)}` does not exist")
        src = fsdeps.read_text(path)
        if rel.endswith(".json"):
            return self._load_json(path, src, canonical)
        m = self._module()
        pkg = os.path.dirname(rel)
        self.loading.append(canonical)
        self.stack.append(Frame("bzl", cell, pkg, path, canonical))
        try:
            display = os.path.relpath(path, self.project.root)
            _refuse_decimal_modes(f"{cell}//{rel}", display, src)
            code = self._note_injected(display, self._injected_load("bzl", cell, src)) + rewrite(src)
            try:
                self._eval(m, display, code, bzl_dialect())
            except StarlarkErrorWithCause as e:
                # Buck2 accepts providers and builtin functions as annotations; starlark-rust alone does not know them as
                # types, so such a file is evaluated again with annotations parsed but not checked.
                if "is not a valid type annotation" not in e.text:
                    raise
                m = self._module()
                self._eval(m, display, code, bzl_dialect(sl.DialectTypes.PARSE_ONLY))
            self._export(m, src, display)
        finally:
            self.stack.pop()
            self.loading.pop()
        fm = m.freeze()
        self.modules[canonical] = fm
        return fm

    def _load_json(self, path: str, src: str, canonical: str) -> sl.FrozenModule:
        """Buck2 loads a .json file as a module with one symbol, `value`: the parsed document."""
        try:
            value = json.loads(src)
        except ValueError as e:
            raise DriverError(canonical, f"cannot load `{canonical}`: not valid JSON: {e}") from None
        m = sl.Module()
        self._eval(m, canonical, "value = " + _starlark_literal(value) + "\n", bzl_dialect())
        fm = m.freeze()
        self.modules[canonical] = fm
        return fm

    def _export(self, m: sl.Module, src: str, display: str) -> None:
        """Name the rules and providers assigned to top-level variables, as Buck2 does when a module is frozen."""
        names = sorted(set(_TOP_ASSIGN.findall(src)))
        if not names:
            return
        self.exported: list[tuple[str, str]] = []
        probe = "; ".join(f'__strata_export_fn("{n}", {n})' for n in names)
        export_load = f'load("{BRIDGE_ID}", __strata_export_fn = "strata_export")' if display != "strata//bridge.bzl" else "__strata_export_fn = strata_export"
        try:
            self._eval(m, display + " (export)", export_load + "\n" + probe + "\n", bzl_dialect())
        except StarlarkErrorWithCause:
            # a name the regex found inside a string literal: probe the names one by one, skipping those
            self.exported = []
            for n in names:
                try:
                    self._eval(m, display + " (export)", export_load + "\n" + f'__strata_export_fn("{n}", {n})\n', bzl_dialect())
                except StarlarkErrorWithCause:
                    pass
        aliases = [f"{alias} = {name}" for alias, name in self.exported]
        if aliases:
            self._eval(m, display + " (export)", "\n".join(aliases) + "\n", bzl_dialect())
        self.exported = []

    def load_prelude(self) -> None:
        p = self.project.prelude_cell
        if p is None or not fsdeps.isfile(os.path.join(self.project.cells[p].path, "prelude.bzl")):
            return
        self.stack.append(Frame("bzl", p, "", "", f"@{p}//:prelude.bzl"))
        self._loading_prelude = True
        try:
            self.load_bzl(p, "prelude.bzl", f"@{p}//:prelude.bzl")
        finally:
            self._loading_prelude = False
        src = fsdeps.read_text(os.path.join(self.project.cells[p].path, "prelude.bzl"))
        names = set(_TOP_ASSIGN.findall(src)) | set(_TOP_DEF.findall(src))
        self.prelude_names = sorted(n for n in names if not n.startswith("_") and not n.startswith("STRATA_INTERNAL_"))
        if "native" in self.prelude_names:
            m = self._module()
            self._eval(m, "strata//native.bzl", f'load("@{p}//:prelude.bzl", "native")\nSTRATA_NATIVE_NAMES = dir(native)\n', bzl_dialect())
            fields = [n for n in m["STRATA_NATIVE_NAMES"] if not n.startswith("_")]
            m2 = self._module()
            src2 = f'load("@{p}//:prelude.bzl", "native")\n' + "".join(f"{n} = native.{n}\n" for n in fields)
            self._eval(m2, "strata//native.bzl", src2, bzl_dialect())
            self.synthetic[NATIVE_ID] = m2.freeze()
            self.native_names = fields
        self.stack.pop()

    def eval_buildfile(self, cell: str, package: str, path: str) -> None:
        src = fsdeps.read_text(path)
        m = self._module()
        display = os.path.relpath(path, self.project.root)
        _refuse_decimal_modes(f"{cell}//{package}", display, src)
        self.stack.append(Frame("buck", cell, package, path, display))
        try:
            self._eval(m, display, self._note_injected(display, self._injected_load("buck", cell, src)) + src, buck_dialect())
        finally:
            self.stack.pop()

    def eval_analysis(self, module_id: str, src: str, frame: Frame) -> sl.FrozenModule:
        m = self._module()
        self.stack.append(frame)
        try:
            self._eval(m, module_id, src, bzl_dialect())
        finally:
            self.stack.pop()
        fm = m.freeze()
        self.synthetic[module_id] = fm
        return fm


def _refuse_decimal_modes(subject: str, display: str, src: str) -> None:
    """`mode = 644` in a file is an error at its line (see literals.py); each further one is a line of its own."""
    if "mode" not in src:
        return
    found = decimal_modes(src)
    if not found:
        return
    first, rest = found[0], found[1:]
    raise DriverError(subject, first.message, [f"{display}:{d.line}:{d.col}: error: {subject}: {d.message}" for d in rest], f"{display}:{first.line}:{first.col}")


def _starlark_literal(value) -> str:
    """A JSON value as Starlark source (JSON strings are valid Starlark strings)."""
    if value is None:
        return "None"
    if value is True:
        return "True"
    if value is False:
        return "False"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_starlark_literal(v) for v in value) + "]"
    return "{" + ", ".join(json.dumps(k, ensure_ascii=False) + ": " + _starlark_literal(v) for k, v in value.items()) + "}"
