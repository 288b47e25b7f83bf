"""strata's Starlark API as JSON, for the feature parity test and the generated docs/rules.md.

The values (the feature types, their phases, the build phases, what rules/defs.bzl exports) come from evaluating the
files with the local driver's starlark-rust; each function's parameters, defaults and docstring from Python's parser
(Starlark's syntax is a subset of Python's), in the file and at the `def` starlark-rust reports for that function.

Usage: starlark_api.py [--root DIR] features|public
"""
from __future__ import annotations

import argparse
import ast
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "packages", "buck2-local", "starlark"))

from pydriver.config import DriverError, load_project  # noqa: E402
from pydriver.driver import Driver  # noqa: E402
from pydriver.interp import Frame, bzl_dialect  # noqa: E402

# starlark-rust's repr() of a `def`: its module and name, `cell//path/file.bzl.name`
# starlark-rust names a function by the file it was evaluated as: a cell label (`root//rules/x.bzl`) or, as the
# driver now names files for editors, a path from the project root (`rules/x.bzl`).
_FUNCTION_NAME = re.compile(r'^((?:[A-Za-z0-9_]+//)?[^ ]+\.bzl)\.([A-Za-z_][A-Za-z0-9_]*)$')


class Api:
    def __init__(self, root: str):
        self.project = load_project(root)
        self.driver = Driver(self.project)
        self.cell = self.project.root_cell
        self._sources: dict[str, ast.Module] = {}
        self._texts: dict[str, str] = {}

    def evaluate(self, src: str) -> object:
        """Evaluates `src` (which must assign OUT = json.encode(...)) as a .bzl file at the root of the root cell."""
        interp = self.driver.interp
        m = interp._module()
        interp.stack.append(Frame("bzl", self.cell, "", "", f"@{self.cell}//:starlark_api.bzl"))
        try:
            interp._eval(m, "starlark_api.bzl", src, bzl_dialect())
        finally:
            interp.stack.pop()
        return json.loads(m["OUT"])

    def _module_ast(self, path: str) -> ast.Module:
        if path not in self._sources:
            with open(path, encoding="utf-8") as f:
                self._texts[path] = f.read()
            self._sources[path] = ast.parse(self._texts[path], filename=path)
        return self._sources[path]

    def locate(self, repr_text: str) -> tuple[str, str]:
        """(absolute file, def name) of a Starlark function, from starlark-rust's repr() of it."""
        m = _FUNCTION_NAME.match(repr_text)
        if m is None:
            raise ValueError("not a Starlark `def` function: " + repr_text[:80])
        file_id, name = m.group(1), m.group(2)
        if "//" not in file_id:
            return os.path.join(self.project.root, file_id), name
        cell, rel = file_id.split("//", 1)
        return os.path.join(self.project.cells[cell].path, rel), name

    def _default(self, node: ast.expr, path: str, tree: ast.Module) -> object:
        try:
            return ast.literal_eval(node)
        except ValueError:
            pass
        if isinstance(node, ast.Name):
            # a constant of the same file
            for stmt in tree.body:
                if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == node.id for t in stmt.targets):
                    return self._default(stmt.value, path, tree)
        raise ValueError(f"{os.path.relpath(path, ROOT)}: default `{ast.unparse(node)}` is not a literal or a constant of the file")

    def signature(self, repr_text: str) -> dict:
        path, name = self.locate(repr_text)
        tree = self._module_ast(path)
        fn = next((s for s in tree.body if isinstance(s, ast.FunctionDef) and s.name == name), None)
        if fn is None:
            raise ValueError(f"{os.path.relpath(path, ROOT)}: no top-level `def {name}`")
        a = fn.args
        positional = a.posonlyargs + a.args
        defaults: list = [None] * (len(positional) - len(a.defaults)) + list(a.defaults)
        params = []
        for arg, d in zip(positional, defaults):
            params.append(self._param(arg, d, False, path, tree))
        for arg, d in zip(a.kwonlyargs, a.kw_defaults):
            params.append(self._param(arg, d, True, path, tree))
        return {
            "file": os.path.relpath(path, ROOT),
            "line": fn.lineno,
            "name": name,
            "params": params,
            "varargs": a.vararg is not None,
            "kwargs": a.kwarg is not None,
            "doc": ast.get_docstring(fn) or "",
        }

    def _param(self, arg: ast.arg, default: ast.expr | None, keyword_only: bool, path: str, tree: ast.Module) -> dict:
        p = {"name": arg.arg, "required": default is None, "keyword_only": keyword_only}
        if arg.annotation is not None:
            p["type"] = ast.unparse(arg.annotation)
        if default is not None:
            p["default"] = self._default(default, path, tree)
            p["default_text"] = ast.get_source_segment(self._texts[path], default) or ast.unparse(default)
        return p

    def module_doc(self, rel: str) -> str:
        return ast.get_docstring(self._module_ast(os.path.join(ROOT, rel))) or ""


FEATURES_SRC = """
load("//rules/private:build_phase.bzl", "BUILD_PHASES")
load("//rules/private/features:registry.bzl", "FEATURE_TYPES")
OUT = json.encode({
    "phases": BUILD_PHASES,
    "features": [
        {"name": t.name, "phase": t.phase, "sources": t.sources, "layers": t.layers, "mount": t.mount, "source_dicts": t.source_dicts, "planned": t.planned, "function": repr(t.function)}
        for t in FEATURE_TYPES
    ],
})
"""


def features(api: Api) -> dict:
    data = api.evaluate(FEATURES_SRC)
    for f in data["features"]:
        f["function"] = api.signature(f["function"])
    return data


# rules/defs.bzl's public rules and macros: a function, or a struct of functions (image, feature)
PUBLIC_SRC = """
load("//rules:defs.bzl", "FeatureInfo", "LayerInfo", "deb_file", "deb_repo", "feature", "flavor", "image", "image_sh_test", "image_test", "package")
def _function(name, value):
    if type(value) == "function":
        return {"name": name, "kind": "function", "debug": repr(value)}
    return {"name": name, "kind": type(value)}
def _entry(name, value):
    if type(value) == "struct":
        return {"name": name, "kind": "namespace", "members": [_function(name + "." + k, getattr(value, k)) for k in dir(value)]}
    return _function(name, value)
PUBLIC = [
    ("image", image), ("feature", feature), ("image_test", image_test), ("image_sh_test", image_sh_test), ("package", package),
    ("deb_repo", deb_repo), ("flavor", flavor), ("deb_file", deb_file),
]
PROVIDERS = [("LayerInfo", LayerInfo), ("FeatureInfo", FeatureInfo)]
OUT = json.encode([_entry(n, v) for n, v in PUBLIC] + [{"name": n, "kind": "provider"} for n, _ in PROVIDERS])
"""


def public(api: Api) -> dict:
    def resolve(entry: dict) -> dict:
        if entry["kind"] == "namespace":
            entry["members"] = [resolve(m) for m in entry["members"]]
        elif entry["kind"] == "function":
            entry["signature"] = api.signature(entry.pop("debug"))
        return entry

    return {"doc": api.module_doc("rules/defs.bzl"), "names": [resolve(e) for e in api.evaluate(PUBLIC_SRC)]}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", default=ROOT)
    ap.add_argument("what", choices=["features", "public"])
    args = ap.parse_args()
    try:
        api = Api(args.root)
        out = features(api) if args.what == "features" else public(api)
    except DriverError as e:
        sys.stderr.write(e.render() + "\n")
        return 1
    except ValueError as e:
        sys.stderr.write(f"error: {e}\n")
        return 1
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
