"""Analysis, attributes and providers (Buck2: `rule()` impls, `ctx.attrs`, `provider()`, dependencies' providers, execution platforms)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .coerce import DepRef, LabelRef, SourceDep, SourcePath
from .config import DriverError, Label, parse_label
from .interp import Frame, StarlarkErrorWithCause, error_from_starlark
from .loading import RuleDef, Target, _norm_attr, _path_line
from .values import describe, tag


@dataclass
class Analysis:
    target: Target
    module_id: str
    declared: list[int] = field(default_factory=list)
    actions: list[int] = field(default_factory=list)
    keys: set = field(default_factory=set)
    providers: Any = None


class AnalysisMixin:
    """The Driver's part for analysis; see driver.py for its state."""

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


def _label_data(label: Label) -> dict:
    return {"__strata": "label", "raw": label.target, "name": label.name, "package": label.package, "cell": label.cell,
            "path": f"{label.cell}//{label.package}", "sub_target": list(label.sub) or None}
