"""Local Buck2 driver, evaluation half: BUCK and .bzl files on starlark-rust (starlark-pyo3), analysis, action graph.

Usage: evaluate.py --root PROJECT_ROOT [--cwd REL_DIR] [--deps] PATTERN...
Prints JSON on stdout: the requested targets (providers, outputs to build) and the action graph. With --deps, a
line of JSON before it: the file-system facts the evaluation depended on (pydriver/fsdeps.py).
       evaluate.py --root PROJECT_ROOT --query uquery|cquery [--output-attribute REGEX]... PATTERN...
Prints what `buck2 uquery` prints for target patterns (see query()).
User errors: `error: ...` on stderr, exit 1. Internal errors: exit 2."""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import traceback

import starlark

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from pydriver import fsdeps  # noqa: E402
from pydriver.config import DriverError, Label, load_project, parse_label  # noqa: E402
from pydriver.driver import Driver  # noqa: E402


class DriverErrors(Exception):
    """The user errors of several patterns or targets, reported together."""

    def __init__(self, errors: list[DriverError]):
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


def expand_pattern(driver: Driver, pattern: str, cwd_abs: str) -> list[Label]:
    project = driver.project
    cell = project.cell_of_path(cwd_abs)
    cwd_pkg = os.path.relpath(cwd_abs, cell.path)
    cwd_pkg = "" if cwd_pkg == "." else cwd_pkg
    text = pattern
    if "//" not in text and not text.startswith(":"):
        # a relative pattern such as `sub:t` or `sub/...`
        text = "//" + os.path.normpath(os.path.join(cwd_pkg, text)).lstrip("./") if not text.startswith("...") else "//" + os.path.join(cwd_pkg, text)
        text = text.replace("//.", "//") if text.startswith("//.") and not text.startswith("//...") else text
    if text.endswith("...") and ":" not in text:
        alias, rest = text.split("//", 1) if "//" in text else ("", text)
        c = project.resolve_cell(alias.lstrip("@"), pattern).name if alias else cell.name
        base = rest[:-3].strip("/")
        labels = []
        for pkg in sorted(_packages_under(driver, c, base)):
            targets = driver.load_package(c, pkg)
            labels.extend(Label(c, pkg, n) for n in targets)
        return labels
    if text.endswith(":") and not text.startswith(":"):
        alias, rest = text.split("//", 1)
        c = project.resolve_cell(alias.lstrip("@"), pattern).name if alias else cell.name
        pkg = rest[:-1].strip("/")
        return [Label(c, pkg, n) for n in driver.load_package(c, pkg)]
    return [parse_label(project, text, cell.name, cwd_pkg, pattern)]


def _packages_under(driver: Driver, cell: str, base: str) -> list[str]:
    project = driver.project
    root = project.package_dir(cell, base)
    out = []
    for dirpath, dirnames, _ in fsdeps.walk(root):
        rel_root = os.path.relpath(dirpath, project.root)
        other_cells = {c.path for c in project.cells.values() if c.name != cell}
        dirnames[:] = sorted(
            d for d in dirnames
            if not d.startswith(".") and d != "buck-out" and os.path.join(dirpath, d) not in other_cells
            and not project.is_ignored(os.path.join(rel_root, d) if rel_root != "." else d)
        )
        pkg = os.path.relpath(dirpath, project.cells[cell].path)
        pkg = "" if pkg == "." else pkg
        if project.buildfile(cell, pkg):
            out.append(pkg)
    return out


def _plain(value):
    """An attribute value as JSON: labels and source paths as the strings Buck2 prints for them."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    for attr in ("label", "path"):
        inner = getattr(value, attr, None)
        if inner is not None:
            return str(inner)
    return str(value)


def _expand_patterns(driver: Driver, project, args: argparse.Namespace) -> tuple[list[Label], list[DriverError]]:
    """the labels of every pattern, relative to --cwd, and the error of each pattern that failed"""
    cwd_abs = os.path.normpath(os.path.join(project.root, args.cwd or "."))
    labels: list[Label] = []
    errors: list[DriverError] = []
    for p in args.patterns:
        try:
            labels.extend(expand_pattern(driver, p, cwd_abs))
        except DriverError as e:
            errors.append(e)
    return labels, errors


def query(args: argparse.Namespace) -> str:
    """`--query uquery|cquery [--output-attribute REGEX]... PATTERN...`: what `buck2 uquery` prints for target
    patterns: the labels, one a line, or with --output-attribute a JSON object of label to the matching attributes.
    Loading only, no analysis; the driver has no configurations, so cquery prints the same."""
    project = load_project(args.root)
    driver = Driver(project)
    labels, errors = _expand_patterns(driver, project, args)
    if errors:
        raise DriverErrors(errors)
    labels = sorted(dict.fromkeys(l.without_sub() for l in labels), key=str)
    targets = []
    for label in labels:
        try:
            targets.append(driver.get_target(label, str(label)))
        except DriverError as e:
            errors.append(e)
    if errors:
        raise DriverErrors(errors)
    if not args.output_attribute:
        return "".join(f"{l}\n" for l in labels)
    wanted = [re.compile(a) for a in args.output_attribute]
    out = {}
    for label, t in zip(labels, targets):
        attrs = {"buck.type": t.rule.name, "name": label.name, "visibility": t.visibility, **t.attrs}
        out[str(label)] = {k: _plain(v) for k, v in sorted(attrs.items()) if any(w.fullmatch(k) for w in wanted)}
    return json.dumps(out, indent=2) + "\n"


def run(args: argparse.Namespace) -> dict:
    project = load_project(args.root)
    driver = Driver(project)
    driver.check_execution_platforms()
    # every pattern and every requested target is tried, and all their errors reported (not only the first)
    requested, errors = _expand_patterns(driver, project, args)
    for label in requested:
        try:
            driver.analyse(label)
            driver.sub_providers(label)
        except DriverError as e:
            errors.append(e)
    if errors:
        raise DriverErrors(errors)
    results = []
    for label in requested:
        providers = driver.sub_providers(label)
        build_ids = driver.artifact_ids_of_providers(providers)
        results.append({
            "label": str(label),
            "rule_type": driver.analyses[label.without_sub()].target.rule.name,
            "default_outputs": [driver.path_of(a) for a in driver.default_outputs(providers)],
            "build": [driver.artifact_ref(a) for a in build_ids],
            "providers": driver.providers_json(providers),
        })
    return {"root": project.root, "requested": results, "actions": driver.actions_json()}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--query", choices=["uquery", "cquery"], help="print targets as `buck2 uquery` does (see query())")
    ap.add_argument("--output-attribute", action="append", default=[])
    ap.add_argument("--root", required=True)
    ap.add_argument("--cwd", default=".")
    ap.add_argument("--deps", action="store_true")
    ap.add_argument("patterns", nargs="*")
    args = ap.parse_args()
    try:
        if args.query:
            sys.stdout.write(query(args))
            return 0
        out = run(args)
    except DriverErrors as e:
        texts = list(dict.fromkeys(x.render() for x in e.errors))
        sys.stderr.write("\n\n".join(texts) + "\n")
        return 1
    except DriverError as e:
        sys.stderr.write(e.render() + "\n")
        return 1
    except Exception:  # noqa: BLE001 - a bug in the driver, not a user error
        sys.stderr.write("error: internal error in the strata local driver\n" + traceback.format_exc())
        return 2
    if args.deps:
        fsdeps.note_interpreter(starlark)
        sys.stdout.write(json.dumps(fsdeps.deps()) + "\n")
    # one string, written once: json.dump streams through the pure-Python encoder in many small writes
    sys.stdout.write(json.dumps(out) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
