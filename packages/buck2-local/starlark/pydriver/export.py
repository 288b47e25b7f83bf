"""Export: the requested targets' providers and outputs and the action graph, as the JSON evaluate.py prints."""
from __future__ import annotations

from typing import Any

from .config import DriverError, Label
from .values import Refs, render_args, to_json


class ExportMixin:
    """The Driver's part for export; see driver.py for its state."""

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
