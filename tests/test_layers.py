"""The layout's rules: imports run one way between the parts, and no module imports itself back.

Layers (issue 12, DESIGN.md "Factory and wiring"): ``community.core`` <- ``community.accounts``
<- (``community.library``, ``community.gdpr``) <- (``community.site``, ``events``) <- ``forums``.
A part may import its own modules and those of the parts it names in ``MAY_IMPORT``;
anything else is an upward (or sideways) import and fails here. Every import counts,
also one inside a function. The graph is read from the source (ast), nothing is run.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("community", "events", "forums", "regionmap", "signals", "reporting", "casetables")

#: Which parts each part may import (besides itself). The base never imports a feature.
MAY_IMPORT: dict[str, set[str]] = {
    "community.core": set(),
    "community.accounts": {"community.core"},
    "community.library": {"community.core", "community.accounts"},
    "community.gdpr": {"community.core", "community.accounts"},
    "community.site": {"community.core", "community.accounts", "community.library"},
    "events": {"community.core", "community.accounts", "community.library", "community.gdpr"},
    "forums": {
        "community.core",
        "community.accounts",
        "community.library",
        "community.gdpr",
        "events",
    },
    "regionmap": {
        "community.core",
        "community.accounts",
        "community.library",
        "community.gdpr",
        "community.site",
        "events",
        "forums",
    },
    "signals": {
        "community.core",
        "community.accounts",
        "community.library",
        "community.gdpr",
        "community.site",
        "events",
        "forums",
        "regionmap",
    },
    "reporting": {
        "community.core",
        "community.accounts",
        "community.library",
        "community.gdpr",
        "community.site",
        "events",
        "forums",
        "regionmap",
        "signals",
        "casetables",
    },
    "casetables": {
        "community.core",
        "community.accounts",
        "community.library",
        "community.gdpr",
        "community.site",
        "events",
        "forums",
        "regionmap",
        "signals",
    },
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[_module_name(path)] = path
    found.pop("community")  # the namespace of the base's parts: a docstring, nothing more
    return found


MODULES = _modules()


def _part_of(module: str) -> str | None:
    for part in sorted(MAY_IMPORT, key=len, reverse=True):
        if module == part or module.startswith(part + "."):
            return part
    return None


def _imports(module: str, path: Path) -> set[str]:
    """First-party modules that ``module`` imports (a name from a package counts as the
    submodule when one of that name exists)."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".")
                if not is_package:
                    anchor = anchor[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in MODULES else base)
    return {name for name in found if name in MODULES and name != module}


GRAPH = {module: _imports(module, path) for module, path in MODULES.items()}


def _is_own_part(package: str, imported: str) -> bool:
    """A package's ``__init__`` importing its own submodules (microblog's route modules)."""
    return imported.startswith(package + ".") and MODULES[package].name == "__init__.py"


def test_every_module_belongs_to_a_layer():
    assert [m for m in MODULES if _part_of(m) is None] == []


def test_imports_run_one_way_between_the_parts():
    upward = []
    for module, imported in GRAPH.items():
        part = _part_of(module)
        for target in sorted(imported):
            other = _part_of(target)
            if other != part and other not in MAY_IMPORT[part]:
                upward.append(f"{module} imports {target} ({part} may not import {other})")
    assert upward == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_circle_of_imports():
    graph = {
        module: {t for t in targets if not _is_own_part(module, t)}
        for module, targets in GRAPH.items()
    }
    assert _cycles(graph) == []


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": {"a"}, "c": set()}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
    ],
)
def test_the_circle_finder_finds_circles(graph, expected):
    assert _cycles(graph) == expected


def test_the_layer_check_sees_an_upward_import():
    """community.core importing events would be reported (the check is not blind)."""
    assert _part_of("community.core.db") == "community.core"
    assert "events" not in MAY_IMPORT["community.core"]
    assert _part_of("events.views.manage") == "events"
