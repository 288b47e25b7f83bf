"""Actions and artifacts (Buck2: `ctx.actions`, `declare_output`, source and projected artifacts, binding outputs to actions)."""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from typing import Any

from . import fsdeps
from .coerce import SourcePath
from .config import DriverError, Label
from .analysis import _label_data
from .values import Refs, describe, render_args, tag, to_json

CATEGORY_RE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


@dataclass
class Artifact:
    aid: int
    path: str
    short_path: str
    owner: Label | None
    is_dir: bool = False
    producer: int | None = None  # action index
    source: bool = False


class ActionsMixin:
    """The Driver's part for actions; see driver.py for its state."""

    def _source_artifact(self, s: SourcePath) -> int:
        if s.path not in self.source_artifacts:
            aid = len(self.artifacts) + 1
            self.artifacts[aid] = Artifact(aid, s.path, s.package_relative, None, fsdeps.isdir(os.path.join(self.project.root, s.path)), None, True)
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
