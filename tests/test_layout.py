"""The layout: which package may import which, and no import circles.

``boolfun`` <- ``teaching``, ``learners`` <- ``models`` <- ``boolicl``: a package imports only
those to its left (and the standard library and third-party packages). Checked two ways: by
importing every module of a package in a fresh interpreter and reading ``sys.modules``, and by
reading every ``import`` statement (function-level ones included) with :mod:`ast`.
"""

from __future__ import annotations

import ast
import json
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("boolfun", "teaching", "learners", "models", "boolicl")
ALLOWED = {
    "boolfun": set(),
    "teaching": {"boolfun"},
    "learners": {"boolfun"},
    "models": {"boolfun", "teaching", "learners"},
    "boolicl": {"boolfun", "teaching", "learners", "models"},
}
"""What each package may import, besides itself."""


def modules(package: str) -> list[str]:
    """Every module of ``package`` (the package itself included), by dotted name."""
    path = ROOT / package
    names = [package]
    for info in pkgutil.walk_packages([str(path)], prefix=f"{package}."):
        names.append(info.name)
    return sorted(names)


def module_file(name: str) -> Path:
    path = ROOT.joinpath(*name.split("."))
    return path / "__init__.py" if path.is_dir() else path.with_suffix(".py")


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports(name: str) -> list[tuple[str, bool]]:
    """``(imported module, at top level)`` of every first-party import in module ``name``,
    except those under ``if TYPE_CHECKING:`` (never executed)."""
    tree = ast.parse(module_file(name).read_text())
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _type_checking(child):
                continue
            inner = top and not isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
            )
            if isinstance(child, ast.Import):
                found.extend((a.name, top) for a in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                for a in child.names:  # "from pkg import module" imports pkg.module
                    sub = f"{child.module}.{a.name}"
                    found.append((sub if module_file(sub).exists() else child.module, top))
            visit(child, inner)

    visit(tree, True)
    return [(m, top) for m, top in found if m.split(".")[0] in PACKAGES]


def graph(*, top_only: bool) -> nx.DiGraph:
    g = nx.DiGraph()
    for package in PACKAGES:
        for name in modules(package):
            g.add_node(name)
            for target, top in imports(name):
                if target != name and (top or not top_only):
                    g.add_edge(name, target)
    return g


@pytest.mark.parametrize("package", PACKAGES)
def test_imports_only_packages_below(package):
    """Static: every import statement of the package, function-level ones included."""
    bad = sorted(
        f"{name} imports {target}"
        for name in modules(package)
        for target, _ in imports(name)
        if target.split(".")[0] not in ALLOWED[package] | {package}
    )
    assert not bad


@pytest.mark.parametrize("package", [p for p in PACKAGES if p != "boolicl"])
def test_fresh_interpreter_loads_nothing_above(package):
    """Dynamic: importing every module of a library package in a fresh interpreter loads no
    package it may not import (``boolicl`` above all)."""
    code = (
        "import importlib, json, sys\n"
        f"for name in {modules(package)!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & {set(PACKAGES)!r})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert loaded <= ALLOWED[package] | {package}, loaded


def test_no_import_circle_between_modules():
    """No circle among the modules' top-level imports anywhere in the project."""
    cycles = list(nx.simple_cycles(graph(top_only=True)))
    assert not cycles


@pytest.mark.parametrize("package", ["models", "boolicl"])
def test_no_circle_even_through_function_level_imports(package):
    """In ``models`` and ``boolicl`` no circle is hidden in a function-level import either."""
    g = graph(top_only=False)
    sub = g.subgraph(m for m in g if m.split(".")[0] == package)
    assert not list(nx.simple_cycles(sub))


def test_models_has_no_function_level_imports():
    """``models`` imports what it uses at the top of each module (nothing to break circles)."""
    late = [
        f"{name} imports {target} in a function"
        for name in modules("models")
        for target, top in imports(name)
        if not top
    ]
    assert not late


def test_help_imports_no_torch():
    """Building the parser and printing the top-level help imports no torch (the registries
    behind the choice lists are read when an argument is checked)."""
    code = (
        "import sys\n"
        "from boolicl.cli import build_parser\n"
        "build_parser().format_help()\n"
        "print('torch' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("package", [p for p in PACKAGES if p != "boolicl"])
def test_library_errors_name_no_command_line_flag(package):
    """A library error names its parameter (``device ...``); only the command line turns that
    into a flag (``--device ...``). No string in a ``raise`` of a library starts a flag."""
    bad = []
    for name in modules(package):
        for node in ast.walk(ast.parse(module_file(name).read_text())):
            if not isinstance(node, ast.Raise) or node.exc is None:
                continue
            for part in ast.walk(node.exc):
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    if re.search(r"(^|\s)--[a-z]", part.value):
                        bad.append(f"{name}:{node.lineno}: {part.value!r}")
    assert not bad
