"""The bundle package's modules import each other without a cycle (issue 11: bundle/io ↔
validate was one, hidden by an import inside a function)."""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import khetrial.bundle

PACKAGE = Path(khetrial.bundle.__file__).parent


def imported_bundle_modules(path: Path) -> set[str]:
    """Every ``khetrial.bundle.<module>`` the file imports, at any depth (functions included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                 else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
        found.update(n.split(".")[2] for n in names if n.startswith("khetrial.bundle."))
    return found


def test_bundle_modules_have_no_import_cycle():
    graph = {p.stem: imported_bundle_modules(p) for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    try:
        order = list(TopologicalSorter(graph).static_order())
    except CycleError as error:
        raise AssertionError(f"import cycle in khetrial.bundle: {error.args[1]}") from None
    assert order.index("validate") < order.index("io")  # io chooses, validate checks, folder reads

