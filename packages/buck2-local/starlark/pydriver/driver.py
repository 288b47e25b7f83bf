"""The driver: loads packages, coerces attributes, checks deps and visibility, runs analysis, and records actions."""
from __future__ import annotations

import json
import os
import platform
import re
from dataclasses import dataclass, field
from typing import Any

from .coerce import CoerceContext, DepRef, LabelRef, SourceDep, SourcePath, coerce, collect_refs
from .config import DriverError, Label, Project, parse_label
from .trace import frames_of_stack
from .interp import Frame, Interpreter, StarlarkErrorWithCause, error_from_starlark
from .values import Refs, describe, render_args, tag, to_json

BUILTIN_ATTRS = {
    "name", "visibility", "within_view", "metadata", "tests", "modifiers", "target_compatible_with",
    "compatible_with", "exec_compatible_with", "default_target_platform",
}
CATEGORY_RE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
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


@dataclass
class Artifact:
    aid: int
    path: str
    short_path: str
    owner: Label | None
    is_dir: bool = False
    producer: int | None = None  # action index
    source: bool = False


@dataclass
class Analysis:
    target: Target
    module_id: str
    declared: list[int] = field(default_factory=list)
    actions: list[int] = field(default_factory=list)
    keys: set = field(default_factory=set)
    providers: Any = None


class Driver:
    def __init__(self, project: Project):
        self.project = project
        self.rules: dict[int, RuleDef] = {}
        self.providers: dict[int, dict] = {}
        self.packages: dict[tuple[str, str], dict[str, Target]] = {}
        self.artifacts: dict[int, Artifact] = {}
        self.source_artifacts: dict[str, int] = {}
        # projected artifact id -> the artifact it is a path inside of (which has the producer)
        self.projections: dict[int, int] = {}
        self.actions: list[dict] = []
        self.analyses: dict[Label, Analysis] = {}
        self.current: Analysis | None = None
        self.interp = Interpreter(project, self._callables(), lambda n: None)
        self.interp.load_prelude()

    # ------------------------------------------------------------------------------------------------ callables

    def _callables(self) -> dict:
        return {
            "__py_new_provider": self._new_provider,
            "__py_builtin_provider": self._builtin_provider,
            "__py_provider_name": self.provider_name,
            "__py_new_rule": self._new_rule,
            "__py_new_target": self._new_target,
            "__py_export_rule": self._export_rule,
            "__py_export_provider": self._export_provider,
            "__py_glob": self._glob,
            "__py_package_name": self._package_name,
            "__py_rule_exists": self._rule_exists,
            "__py_read_config": self._read_config,
            "__py_host_info": self._host_info,
            "__py_ctx_data": self._ctx_data,
            "__py_declare_output": self._declare_output,
            "__py_artifact_info": self._artifact_info,
            "__py_project_artifact": self._project_artifact,
            "__py_action": self._action,
            "__py_finish_analysis": self._finish_analysis,
            "__py_cmd_outputs": self._cmd_outputs,
        }

    def _guard(self, fn, *args):
        try:
            return fn(*args)
        except DriverError as e:
            self.interp.pending_error = self.interp.pending_error or e
            raise

    def _subject(self) -> str:
        if self.current is not None:
            return str(self.current.target.label)
        top = self.interp.stack[-1] if self.interp.stack else None
        return top.module_id if top else ""

    def _new_provider(self, fields):
        pid = len(self.providers) + 1
        top = self.interp.stack[-1]
        self.providers[pid] = {"name": None, "fields": fields, "module": top.module_id}
        return pid

    def _builtin_provider(self, name):
        pid = len(self.providers) + 1
        self.providers[pid] = {"name": name, "fields": [], "module": "builtin"}
        return pid

    def provider_name(self, pid) -> str:
        return self.providers[pid]["name"] or f"<anonymous provider from {self.providers[pid]['module']}>"

    def _new_rule(self, attrs, is_toolchain):
        top = self.interp.stack[-1]
        if top.kind != "bzl":
            raise self._err(DriverError(top.module_id, "rule() can only be called while a .bzl file is loaded"))
        rid = len(self.rules) + 1
        spec = {k: _norm_attr(v) for k, v in attrs["items"]}
        self.rules[rid] = RuleDef(rid, spec, bool(is_toolchain), top.module_id)
        return rid

    def _err(self, e: DriverError) -> DriverError:
        self.interp.pending_error = self.interp.pending_error or e
        return e

    def _export_rule(self, rid, name):
        r = self.rules[rid]
        top = self.interp.stack[-1]
        if r.name is None and r.module_id == top.module_id:
            r.name = name
            r.alias = f"STRATA_INTERNAL_RULE_{rid}"
            self.interp.exported.append((r.alias, name))

    def _export_provider(self, pid, name):
        p = self.providers[pid]
        if p["name"] is None and p["module"] == self.interp.stack[-1].module_id:
            p["name"] = name

    # ------------------------------------------------------------------------------------------------ BUCK files

    def _buck_frame(self, what: str) -> Frame:
        for f in reversed(self.interp.stack):
            if f.kind == "buck":
                return f
        raise self._err(DriverError(self._subject(), f"{what} can only be called while a BUCK file is evaluated"))

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
        files = []
        for dirpath, dirnames, filenames in os.walk(pkg_dir):
            rel_dir = os.path.relpath(dirpath, pkg_dir)
            keep = []
            other_cells = {c.path for c in self.project.cells.values() if c.name != f.cell}
            for d in sorted(dirnames):
                if os.path.join(dirpath, d) in other_cells:
                    continue
                sub_rel = d if rel_dir == "." else f"{rel_dir}/{d}"
                sub_pkg = f"{f.package}/{sub_rel}" if f.package else sub_rel
                if self.project.buildfile(f.cell, sub_pkg) is None and not self.project.is_ignored(os.path.relpath(os.path.join(dirpath, d), self.project.root)) and d != "buck-out":
                    keep.append(d)
            dirnames[:] = keep
            for n in filenames:
                files.append(n if rel_dir == "." else f"{rel_dir}/{n}")
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

    # ------------------------------------------------------------------------------------------------ graph

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
            f"`{dep.label.target}` is not visible to `{user.label.target}` (run `buck2 uquery --output-attribute visibility {dep.label.target}` to see its visibility)",
            [f"  visibility of `{dep.label.target}`: {json.dumps(dep.visibility)}"],
        )

    def analyse(self, label: Label, chain: tuple = ()) -> Analysis:
        base = label.without_sub()
        if base in self.analyses:
            return self.analyses[base]
        if base in chain:
            cyc = " -> ".join(str(x) for x in chain[chain.index(base):] + (base,))
            raise DriverError(str(base), f"cycle in the target graph: {cyc}")
        t = self.get_target(base, str(chain[-1]) if chain else str(base))
        deps: dict[str, Analysis] = {}
        for ref in t.refs:
            dt = self.get_target(ref.label.without_sub(), str(t.label))
            self.check_visibility(dt, t)
            if isinstance(ref, DepRef):
                if ref.kind == "toolchain_dep" and not dt.rule.is_toolchain:
                    raise DriverError(str(t.label), f"`{dt.label.target}` is used as a toolchain dependency, but its rule `{dt.rule.name}` is not a toolchain rule (`is_toolchain_rule = True`)")
                if ref.kind != "toolchain_dep" and dt.rule.is_toolchain and not t.rule.is_toolchain:
                    raise DriverError(str(t.label), f"`{dt.label.target}` is a toolchain rule (`{dt.rule.name}`) and can only be used through `attrs.toolchain_dep`")
            deps[ref.label.target] = self.analyse(ref.label, chain + (base,))
            if isinstance(ref, DepRef) and ref.required:
                self._check_providers(t, ref)
        return self._run_analysis(t, deps)

    def _check_providers(self, t: Target, ref: DepRef) -> None:
        """Buck2 checks an `attrs.dep(providers = [...])` value before the rule's implementation runs."""
        try:
            p = self.sub_providers(ref.label)
        except DriverError as e:
            e.location = e.location or t.site
            raise
        have = {inst["pid"] for _, inst in p["items"]}
        for pid in ref.required:
            if pid not in have:
                names = ", ".join(self.provider_name(inst["pid"]) for _, inst in p["items"])
                attr, where = f"attribute `{ref.attr}`", t.site
                lab = ref.label
                written = [f":{lab.name}", f"//{lab.package}:{lab.name}", lab.target, str(lab), f":{lab.name}" + "".join(f"[{x}]" for x in lab.sub)]
                kw = next((k for k in (self.interp.locator.keyword_with_value(*_path_line(t.site), w) for w in written if t.site) if k), None)
                if kw is not None:
                    # the keyword the user wrote (a feature's `source`), not the rule attribute a macro turned it into
                    attr, where = f"attribute `{kw[1]}` of `{kw[0]}`", f"{_path_line(t.site)[0]}:{kw[2]}:{kw[3]}"
                raise DriverError(
                    str(t.label),
                    f"{attr}: Attribute requires a dep that provides `{self.provider_name(pid)}`, but it was not found on `{ref.label}`. Found these providers: {names}",
                    location=where,
                )

    def _run_analysis(self, t: Target, deps: dict[str, Analysis]) -> Analysis:
        mid = f"@strata_analysis//{len(self.analyses)}"
        a = Analysis(t, mid)
        lines = [f'load("@strata//bridge.bzl", "strata_analyse")', f'load("{t.rule.module_id}", __rule = "{t.rule.alias}")']
        dep_names = []
        for i, (k, d) in enumerate(sorted(deps.items())):
            lines.append(f'load("{d.module_id}", __d{i} = "providers")')
            dep_names.append(f'"{k}": __d{i}')
        lines.append("providers = strata_analyse(__rule, {" + ", ".join(dep_names) + "})")
        self.current = a
        try:
            self.interp.eval_analysis(mid, "\n".join(lines) + "\n", Frame("analysis", t.label.cell, t.label.package, "", mid))
        except StarlarkErrorWithCause as e:
            err = error_from_starlark(self.interp.locator, e, str(t.label))
            err.location = err.location or t.site
            raise err from None
        finally:
            self.current = None
        self.analyses[t.label] = a
        return a

    # ------------------------------------------------------------------------------------------------ analysis callables

    def _ctx_data(self):
        a = self.current
        assert a is not None
        t = a.target
        return {"label": _label_data(t.label), "attrs": {k: self._attr_to_starlark(v, k) for k, v in t.attrs.items()}}

    def _attr_to_starlark(self, v, attr):
        if isinstance(v, DepRef):
            return {"__strata": "dep", "target": v.label.target, "sub_target": list(v.label.sub), "label": str(v.label), "label_data": _label_data(v.label), "required": list(v.required)}
        if isinstance(v, SourceDep):
            return {"__strata": "dep_output", "target": v.label.target, "sub_target": list(v.label.sub), "label": str(v.label), "attr": attr}
        if isinstance(v, SourcePath):
            return self._artifact_data(self._source_artifact(v))
        if isinstance(v, LabelRef):
            return _label_data(v.label)
        if isinstance(v, list):
            return [self._attr_to_starlark(x, attr) for x in v]
        if tag(v) == "dict":
            return {"__strata": "dict", "items": [[self._attr_to_starlark(k, attr), self._attr_to_starlark(x, attr)] for k, x in v["items"]]}
        return v

    def _source_artifact(self, s: SourcePath) -> int:
        if s.path not in self.source_artifacts:
            aid = len(self.artifacts) + 1
            self.artifacts[aid] = Artifact(aid, s.path, s.package_relative, None, os.path.isdir(os.path.join(self.project.root, s.path)), None, True)
            self.source_artifacts[s.path] = aid
        return self.source_artifacts[s.path]

    def _artifact_data(self, aid: int) -> dict:
        art = self.artifacts[aid]
        base = os.path.basename(art.path)
        ext = os.path.splitext(base)[1]
        return {"__strata": "artifact", "id": aid, "short_path": art.short_path, "basename": base, "extension": ext,
                "is_source": art.source, "owner": _label_data(art.owner) if art.owner else None}

    def _declare_output(self, parts, is_dir):
        return self._guard(self._declare_output_inner, parts, is_dir)

    def _declare_output_inner(self, parts, is_dir):
        a = self.current
        if a is None:
            raise DriverError(self._subject(), "declare_output() can only be called during analysis")
        subject = str(a.target.label)
        if not parts or len(parts) > 2 or not all(isinstance(p, str) for p in parts):
            raise DriverError(subject, f"declare_output: expected `([prefix,] filename)`, got {describe(parts)}")
        rel = "/".join(p for p in parts if p)
        norm = os.path.normpath(rel) if rel else ""
        if not rel or os.path.isabs(rel) or norm.startswith("..") or norm != rel:
            raise DriverError(subject, f"declare_output: `{rel}` must be a normalised relative path")
        lab = a.target.label
        pkg = f"{lab.package}/" if lab.package else ""
        path = f"buck-out/v2/gen/{lab.cell}/{pkg}__{lab.name}__/{rel}"
        for other in a.declared:
            op = self.artifacts[other].path
            if op == path or op.startswith(path + "/") or path.startswith(op + "/"):
                raise DriverError(subject, f"declared output `{rel}` conflicts with the already declared output `{self.artifacts[other].short_path}`")
        aid = len(self.artifacts) + 1
        self.artifacts[aid] = Artifact(aid, path, rel, lab, bool(is_dir))
        a.declared.append(aid)
        return self._artifact_data(aid)

    def _artifact_info(self, enc):
        return self._artifact_data(enc["id"])

    def _project_artifact(self, aid, sub):
        art = self.artifacts[aid]
        nid = len(self.artifacts) + 1
        self.artifacts[nid] = Artifact(nid, f"{art.path}/{os.path.normpath(sub)}", f"{art.short_path}/{sub}", art.owner, False, None, art.source)
        self.projections[nid] = aid
        return self._artifact_data(nid)

    def path_of(self, aid: int) -> str:
        return self.artifacts[aid].path

    def _bind(self, aid: int, action_index: int, subject: str) -> None:
        a = self.current
        assert a is not None
        art = self.artifacts[aid]
        if aid not in a.declared:
            what = "a source file" if art.source else f"declared by `{art.owner}`"
            raise DriverError(subject, f"action output `{art.path}` is {what}, not an output declared by this target with `ctx.actions.declare_output`")
        if art.producer is not None:
            prev = self.actions[art.producer]
            raise DriverError(subject, f"output `{art.short_path}` is bound twice: by action `{prev['category']}` ({prev['identifier']}) and by action `{self.actions[action_index]['category']}` ({self.actions[action_index]['identifier']})")
        art.producer = action_index

    def _action(self, kind, data):
        return self._guard(self._action_inner, kind, data)

    def _action_inner(self, kind, data):
        a = self.current
        if a is None:
            raise DriverError(self._subject(), "actions can only be created during analysis")
        subject = str(a.target.label)
        d = {k: x for k, x in data["items"]}
        refs = Refs()
        action: dict[str, Any] = {"owner": subject, "kind": kind, "local_only": False, "no_outputs_cleanup": False, "env": {}}
        pname = self.provider_name
        if kind == "run":
            kw = {k: x for k, x in d["kwargs"]["items"]}
            category, identifier = d["category"], d["identifier"]
            action["argv"] = render_args(d["arguments"], self.path_of, refs, subject, pname)
            env = {}
            for k, x in (kw.pop("env", None) or {"items": []})["items"]:
                r = render_args(x, self.path_of, refs, subject, pname)
                env[k] = " ".join(r)
            action["env"] = env
            action["local_only"] = bool(kw.pop("local_only", False))
            action["no_outputs_cleanup"] = bool(kw.pop("no_outputs_cleanup", False))
            exe = kw.pop("exe", None)
            if exe is not None:
                action["argv"] = render_args(exe, self.path_of, refs, subject, pname) + action["argv"]
            allowed = {"prefer_local", "prefer_remote", "always_print_stderr", "weight", "weight_percentage", "allow_cache_upload",
                       "allow_dep_file_cache_upload", "force_full_hybrid_if_capable", "dep_files", "metadata_env_var", "metadata_path",
                       "timeout_seconds", "unique_input_inodes", "allow_offline_output_cache", "error_handler", "outputs_for_error_handler",
                       "remote_execution_dependencies", "remote_execution_dynamic_image", "meta_internal_extra_params", "expect_eden"}
            for k in kw:
                if k not in allowed:
                    raise DriverError(subject, f"ctx.actions.run: unexpected parameter `{k}`")
            if not action["argv"]:
                raise DriverError(subject, f"action `{category}`: empty command line")
        else:
            category = {"write": "write", "write_json": "write_json", "copy": "copy", "symlink": "symlink", "download": "download_file"}[kind]
            identifier = None
            out = d["output"]
            if tag(out) not in ("artifact", "output"):
                raise DriverError(subject, f"{kind}: output must be an artifact from `declare_output` or a file name, got {describe(out)}")
            refs.add_output(out["id"])
            identifier = self.artifacts[out["id"]].short_path
            if kind == "write":
                c = d["content"]
                action["content"] = c if isinstance(c, str) else "\n".join(render_args(c, self.path_of, Refs(), subject, pname)) + "\n"
                action["is_executable"] = bool(d["is_executable"])
            elif kind == "write_json":
                v = to_json(d["content"], self.path_of, subject, pname, Refs())
                # as Buck2 writes it: UTF-8 as is, and a pretty document ends with a newline
                action["content"] = json.dumps(v, indent=2, ensure_ascii=False) + "\n" if d["pretty"] else json.dumps(v, separators=(",", ":"), ensure_ascii=False)
                action["is_executable"] = False
                action["kind"] = "write"
            elif kind in ("copy", "symlink"):
                src = d["src"]
                if tag(src) != "artifact":
                    raise DriverError(subject, f"{kind}: `src` must be an artifact, got {describe(src)}")
                refs.add_input(src["id"])
                action["src"] = self.path_of(src["id"])
            elif kind == "download":
                if not d.get("sha256") and not d.get("sha1"):
                    raise DriverError(subject, "download_file: a `sha256` (or `sha1`) is required")
                action["url"], action["sha256"], action["sha1"] = d["url"], d.get("sha256"), d.get("sha1")
                action["is_executable"] = bool(d.get("is_executable"))
        if not isinstance(category, str) or not CATEGORY_RE.match(category):
            raise DriverError(subject, f"action category `{category}` must be lower snake_case (e.g. `strata_compile`)")
        key = (category, identifier)
        if key in a.keys:
            ident = f"identifier `{identifier}`" if identifier is not None else "no identifier"
            raise DriverError(subject, f"analysis produced multiple actions with category `{category}` and {ident}; each (category, identifier) pair must be unique within a target")
        a.keys.add(key)
        if not refs.outputs:
            raise DriverError(subject, f"action `{category}` has no outputs; every action needs at least one (mark them with `.as_output()`)")
        index = len(self.actions)
        action.update({"index": index, "category": category, "identifier": identifier})
        self.actions.append(action)
        for o in refs.outputs:
            self._bind(o, index, subject)
        action["_inputs"] = [i for i in refs.inputs if i not in refs.outputs]
        action["_outputs"] = list(refs.outputs)
        a.actions.append(index)
        return None

    def _cmd_outputs(self, enc):
        refs = Refs()
        self._guard(render_args, enc, self.path_of, refs, self._subject(), self.provider_name)
        return refs.outputs

    def _finish_analysis(self, providers):
        return self._guard(self._finish_inner, providers)

    def _finish_inner(self, providers):
        a = self.current
        assert a is not None
        subject = str(a.target.label)
        for aid in a.declared:
            if self.artifacts[aid].producer is None:
                raise DriverError(subject, f"output `{self.artifacts[aid].short_path}` was declared but never bound by an action (Buck2: every declared output must be bound exactly once)")
        a.providers = providers
        return None

    # ------------------------------------------------------------------------------------------------ platforms

    def check_execution_platforms(self) -> None:
        """Buck2 analyses the root config's `[build] execution_platforms` target to learn where actions may run; it
        must provide `ExecutionPlatformRegistrationInfo`. The local driver runs every action here, but resolves the
        target the same way so that a broken platform fails here as it would under Buck2."""
        root = self.project.cells[self.project.root_cell]
        text = root.config.get("build", {}).get("execution_platforms", "").strip()
        if not text:
            return
        where = "`[build] execution_platforms` in .buckconfig"
        label = parse_label(self.project, text, root.name, "", where)
        providers = self.analyse(label).providers
        info = next((inst for _, inst in providers["items"] if self.provider_name(inst["pid"]) == "ExecutionPlatformRegistrationInfo"), None)
        if info is None:
            have = ", ".join(self.provider_name(inst["pid"]) for _, inst in providers["items"])
            raise DriverError(str(label), f"expected `{label}` to provide a `ExecutionPlatformRegistrationInfo` as it is configured as the `build.execution_platforms` value", [f"  it provides: {have}"])
        fallback = info["fields"]["fallback"]
        if not (fallback is None or fallback in ("error", "use_unspecified") or (tag(fallback) == "provider" and self.provider_name(fallback["pid"]) == "ExecutionPlatformInfo")):
            raise DriverError(str(label), f"ExecutionPlatformRegistrationInfo: expected `fallback` to be an ExecutionPlatformInfo or one of the strings \"error\" or \"use_unspecified\", found {describe(fallback)}")

    # ------------------------------------------------------------------------------------------------ output

    def artifact_ids_of_providers(self, providers: Any) -> list[int]:
        """Artifacts a provider collection's DefaultInfo asks to build (default and other outputs)."""
        refs = Refs()
        for p in providers["items"]:
            inst = p[1]
            if self.provider_name(inst["pid"]) == "DefaultInfo":
                for o in inst["fields"]["default_outputs"] + inst["fields"]["other_outputs"]:
                    render_args(o, self.path_of, refs, "", self.provider_name)
        return refs.inputs

    def default_outputs(self, providers: Any) -> list[int]:
        refs = Refs()
        for p in providers["items"]:
            inst = p[1]
            if self.provider_name(inst["pid"]) == "DefaultInfo":
                for o in inst["fields"]["default_outputs"]:
                    render_args(o, self.path_of, refs, "", self.provider_name)
        return refs.inputs

    def sub_providers(self, label: Label) -> Any:
        a = self.analyses[label.without_sub()]
        p = a.providers
        for i, name in enumerate(label.sub):
            di = next(inst for _, inst in p["items"] if self.provider_name(inst["pid"]) == "DefaultInfo")
            subs = {k: v for k, v in di["fields"]["sub_targets"]["items"]}
            if name not in subs:
                have = ", ".join(sorted(subs)) or "none"
                raise DriverError(str(label), f"target `{Label(label.cell, label.package, label.name, label.sub[:i])}` has no sub-target `{name}` (available: {have})")
            p = subs[name]
        return p

    def providers_json(self, providers: Any) -> dict:
        out = {}
        for _, inst in providers["items"]:
            name = self.provider_name(inst["pid"])
            fields = inst["fields"]
            refs = Refs()
            if name == "DefaultInfo":
                out[name] = {
                    "default_outputs": [p for o in fields["default_outputs"] for p in render_args(o, self.path_of, Refs(), "", self.provider_name)],
                    "other_outputs": [p for o in fields["other_outputs"] for p in render_args(o, self.path_of, Refs(), "", self.provider_name)],
                    "sub_targets": {k: self.providers_json(v) for k, v in fields["sub_targets"]["items"]},
                }
            elif name == "RunInfo":
                args = render_args(fields["args"], self.path_of, refs, "", self.provider_name)
                out[name] = {"args": args, "inputs": [self.path_of(i) for i in refs.inputs]}
            elif name == "ExternalRunnerTestInfo":
                cmd = render_args(fields["command"] or [], self.path_of, refs, "", self.provider_name)
                env = {k: " ".join(render_args(x, self.path_of, refs, "", self.provider_name)) for k, x in (fields["env"] or {"items": []})["items"]}
                rest = {k: to_json(v, self.path_of, "", self.provider_name, Refs()) for k, v in fields.items() if k not in ("command", "env")}
                out[name] = {**rest, "command": cmd, "env": env, "inputs": [self.path_of(i) for i in refs.inputs]}
            else:
                out[name] = to_json(inst, self.path_of, "", self.provider_name, Refs())
        return out

    def actions_json(self) -> list[dict]:
        out = []
        for act in self.actions:
            a = {k: v for k, v in act.items() if not k.startswith("_")}
            a["inputs"] = [self.artifact_ref(i) for i in act["_inputs"]]
            a["outputs"] = [{"path": self.path_of(o), "dir": self.artifacts[o].is_dir} for o in act["_outputs"]]
            out.append(a)
        return out

    def artifact_ref(self, aid: int) -> dict:
        """an artifact's path and the index of the action that produces it (None for a source file)"""
        return {"path": self.path_of(aid), "producer": self.producer_of(aid)}

    def producer_of(self, aid: int) -> int | None:
        return self.artifacts[self.projections.get(aid, aid)].producer


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


def _label_data(label: Label) -> dict:
    return {"__strata": "label", "raw": label.target, "name": label.name, "package": label.package, "cell": label.cell,
            "path": f"{label.cell}//{label.package}", "sub_target": list(label.sub) or None}


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


