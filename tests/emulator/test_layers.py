"""Imports run downwards (design principle 5): http → simulator → platform → store, clock; no cycles.

Read from the source with ``ast`` (``TYPE_CHECKING`` imports count too), so a violation fails here before it
becomes an import-order bug.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import smartcar_emulator

ROOT = Path(smartcar_emulator.__file__).parent
PACKAGE = "smartcar_emulator"

# Each layer, and the packages of this project it must never import.
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "store": ("platform", "simulator", "http", "app", "server", "cli", "testing"),
    "platform": ("simulator", "delivery", "http", "app", "server", "cli", "testing"),
    "simulator": ("delivery", "http", "app", "server", "cli", "testing"),
    "delivery": ("simulator", "http", "app", "server", "cli", "testing"),  # webhook sending: beside simulator/
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Absolute names of the project modules ``path`` imports (relative imports resolved)."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)  # ``from . import x``
    return {name for name in found if name == PACKAGE or name.startswith(PACKAGE + ".")}


MODULES = {_module_name(path): path for path in sorted(ROOT.rglob("*.py"))}
GRAPH = {name: {target for target in _imports(path) if target in MODULES} for name, path in MODULES.items()}


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_only_downwards(layer):
    offenders = []
    for name, path in MODULES.items():
        if not name.startswith(f"{PACKAGE}.{layer}.") and name != f"{PACKAGE}.{layer}":
            continue
        for target in _imports(path):
            top = target.removeprefix(PACKAGE + ".").split(".")[0]
            if top in FORBIDDEN[layer]:
                offenders.append(f"{name} imports {target}")
    assert not offenders, offenders
    assert any(name.startswith(f"{PACKAGE}.{layer}") for name in MODULES)  # the layer exists: the walk saw it


def test_no_import_cycles():
    cycles: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the current path, 2: done

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for target in sorted(GRAPH[name]):
            if target == name or target == name.rpartition(".")[0]:  # a package's own __init__
                continue
            if state.get(target) == 1:
                cycles.append(path[path.index(target):] + [target])
            elif target not in state:
                visit(target, path + [target])
        state[name] = 2

    for name in sorted(GRAPH):
        if name not in state:
            visit(name, [name])
    assert not cycles, cycles


def test_the_walk_sees_relative_imports():
    """The checker itself: it resolves ``from ..x import y`` (so an offending import cannot hide)."""
    assert f"{PACKAGE}.platform.state" in GRAPH[f"{PACKAGE}.simulator.physics"]
    assert f"{PACKAGE}.platform.dynamics" in GRAPH[f"{PACKAGE}.platform.core"]
