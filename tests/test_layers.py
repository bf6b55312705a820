"""The package's shape: the layers contract holds and no module imports itself back.

Both count every import, those inside functions too: a lazy import is still a
dependency, and a cycle through one is still a cycle.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import grimp
import pytest

from .helpers import ROOT


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Every strongly connected set of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in graph.find_modules_directly_imported_by(module):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == module:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return found


def test_no_import_cycles_lazy_imports_included():
    graph = grimp.build_graph("studycli", include_external_packages=False)
    # A package's __init__ is imported by each of its modules; its own imports are what count.
    assert _cycles(graph) == []


def test_no_module_over_600_lines():
    long = {
        str(p.relative_to(ROOT)): n
        for p in (ROOT / "studycli").rglob("*.py")
        if (n := len(p.read_text().splitlines())) > 600
    }
    assert long == {}


@pytest.mark.skipif(shutil.which("lint-imports") is None, reason="import-linter not installed")
def test_layers_contract_holds():
    proc = subprocess.run(
        ["lint-imports", "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout[-2000:]


def test_the_cycle_finder_finds_a_lazy_cycle():
    graph = grimp.build_graph("studycli", include_external_packages=False)
    graph.add_import(importer="studycli.errors", imported="studycli.cli.main")
    assert any("studycli.errors" in c and "studycli.cli.main" in c for c in _cycles(graph))
