"""Rendering of the tagged data that bridge.bzl's `_enc` produces: command lines (cmd_args), JSON (write_json),
and the JSON-able form of providers in the driver's output."""
from __future__ import annotations

import os
import re
import shlex
from typing import Any, Callable

from .config import DriverError


class Refs:
    """Artifacts met while rendering: inputs (read) and outputs (`as_output()`), by artifact id, in order."""

    def __init__(self) -> None:
        self.inputs: list[int] = []
        self.outputs: list[int] = []

    def add_input(self, aid: int) -> None:
        if aid not in self.inputs:
            self.inputs.append(aid)

    def add_output(self, aid: int) -> None:
        if aid not in self.outputs:
            self.outputs.append(aid)


def tag(v: Any) -> str | None:
    return v.get("__strata") if isinstance(v, dict) else None


def render_args(
    v: Any,
    path_of: Callable[[int], str],
    refs: Refs,
    subject: str,
    provider_name: Callable[[int], str],
    path_opts: dict | None = None,
) -> list[str]:
    """The argv strings of an arg-like value, as Buck2 renders a cmd_args; artifacts become project-relative paths."""
    t = tag(v)
    if isinstance(v, str):
        return [v]
    if isinstance(v, list):
        out: list[str] = []
        for x in v:
            out.extend(render_args(x, path_of, refs, subject, provider_name, path_opts))
        return out
    if t == "artifact" or t == "output":
        (refs.add_output if t == "output" else refs.add_input)(v["id"])
        return [_artifact_path(path_of(v["id"]), path_of, path_opts)]
    if t == "label":
        return [v["label"]]
    if t == "provider" and provider_name(v["pid"]) == "RunInfo":
        return render_args(v["fields"]["args"], path_of, refs, subject, provider_name, path_opts)
    if t == "cmd_args":
        opts = {k: x for k, x in v["opts"]["items"]} if tag(v["opts"]) == "dict" else {}
        inner_path_opts = dict(path_opts or {})
        for k in ("relative_to", "relative_to_parent", "absolute_prefix", "absolute_suffix", "parent", "ignore_artifacts"):
            if k in opts:
                inner_path_opts[k] = opts[k]
        if opts.get("inputs_only"):
            # `cmd_args.inputs`: the artifacts read, never outputs, and nothing on the command line
            seen = Refs()
            render_args(v["hidden"], path_of, seen, subject, provider_name, inner_path_opts)
            for aid in seen.inputs:
                refs.add_input(aid)
            return []
        for h in v["hidden"]:
            render_args(h, path_of, refs, subject, provider_name, inner_path_opts)
        args = render_args(v["items"], path_of, refs, subject, provider_name, inner_path_opts)
        return _apply_opts(args, opts)
    if isinstance(v, bool) or isinstance(v, (int, float)) or v is None:
        raise DriverError(subject, f"command line arguments must be strings, artifacts or cmd_args; found `{v}` of type `{type(v).__name__ if v is not None else 'NoneType'}`")
    raise DriverError(subject, f"value of kind `{t}` cannot appear on a command line: {describe(v)}")


def _artifact_path(p: str, path_of: Callable[[int], str], opts: dict | None) -> str:
    if not opts:
        return p
    if opts.get("ignore_artifacts"):
        return p
    parent = opts.get("parent", 0)
    for _ in range(parent or 0):
        p = os.path.dirname(p)
    rel = opts.get("relative_to")
    if rel is not None:
        base = path_of(rel["id"]) if tag(rel) == "artifact" else ""
        for _ in range(opts.get("relative_to_parent", 0) or 0):
            base = os.path.dirname(base)
        p = os.path.relpath(p, base or ".")
    if "absolute_prefix" in opts:
        p = opts["absolute_prefix"] + p
    if "absolute_suffix" in opts:
        p = p + opts["absolute_suffix"]
    return p


def _apply_opts(args: list[str], opts: dict) -> list[str]:
    rr = opts.get("replace_regex")
    if rr is not None:
        pairs = rr if rr and isinstance(rr[0], list) else [rr]
        for pat, repl in pairs:
            args = [re.sub(pat, repl, a) for a in args]
    if "format" in opts:
        args = [opts["format"].replace("{}", a) for a in args]
    if opts.get("quote") == "shell":
        args = [shlex.quote(a) for a in args]
    if "prepend" in opts:
        args = [x for a in args for x in (opts["prepend"], a)]
    if "delimiter" in opts:
        args = [opts["delimiter"].join(args)] if args else []
    return args


def to_json(v: Any, path_of: Callable[[int], str], subject: str, provider_name: Callable[[int], str], refs: Refs) -> Any:
    """The JSON Buck2's write_json writes for a value: artifacts as project-relative paths, cmd_args as lists of strings,
    structs/providers as objects."""
    t = tag(v)
    if t is None:
        if isinstance(v, list):
            return [to_json(x, path_of, subject, provider_name, refs) for x in v]
        if isinstance(v, dict):
            return {k: to_json(x, path_of, subject, provider_name, refs) for k, x in v.items()}
        return v
    if t == "dict":
        out = {}
        for k, x in v["items"]:
            if not isinstance(k, str):
                raise DriverError(subject, f"write_json: dict keys must be strings, found `{describe(k)}`")
            out[k] = to_json(x, path_of, subject, provider_name, refs)
        return out
    if t in ("artifact", "output"):
        refs.add_input(v["id"])
        return path_of(v["id"])
    if t == "cmd_args":
        return render_args(v, path_of, refs, subject, provider_name)
    if t in ("struct", "provider"):
        return {k: to_json(x, path_of, subject, provider_name, refs) for k, x in v["fields"].items()}
    if t == "label":
        return v["label"]
    if t == "provider_type":
        return provider_name(v["pid"])
    raise DriverError(subject, f"write_json: cannot serialise a value of type `{v.get('type', t)}`: {describe(v)}")


def describe(v: Any) -> str:
    t = tag(v)
    if t is None:
        return repr(v) if not isinstance(v, str) else f'"{v}"'
    if t == "opaque" or t == "function":
        return v["repr"]
    return f"<{t}>"
