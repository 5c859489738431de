"""The architecture as checked contracts (issue 11): the layers and the Django boundary written
down in ``.importlinter``, no import cycles, and imports at the top of modules."""

from __future__ import annotations

import ast
import os
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "khetrial"
LAZY_ALLOWED = ("cli",)
"""Packages that may import inside functions: the CLI does, so that ``khetrial --help`` is fast."""
MAX_INNER_IMPORTS_PER_1000_LINES = 3


def test_import_linter_contracts_are_kept(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert lint_imports(config_filename=str(ROOT / ".importlinter"), no_cache=True) == 0


def inner_imports(tree: ast.AST) -> int:
    """Import statements inside a function body (``if TYPE_CHECKING`` blocks at module level are
    not inside a function)."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            inside.update(id(inner) for inner in ast.walk(node) if isinstance(inner, (ast.Import, ast.ImportFrom)))
    return len(inside)


def test_inner_imports_counts_only_imports_inside_functions():
    source = "import os\ndef f():\n    import json\n    def g():\n        from re import sub\n"
    # two imports inside functions (one in a nested function), each counted once
    assert inner_imports(ast.parse(source)) == 2
    assert inner_imports(ast.parse("import os\nfrom re import sub\n")) == 0


def test_imports_live_at_the_top_of_modules_outside_the_cli():
    lines = inner = 0
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] in LAZY_ALLOWED or "migrations" in relative.parts:
            continue
        text = path.read_text(encoding="utf-8")
        count = inner_imports(ast.parse(text))
        lines += text.count(os.linesep)
        inner += count
        if count:
            offenders.append(f"{relative}: {count}")
    per_1000 = 1000 * inner / lines
    assert per_1000 <= MAX_INNER_IMPORTS_PER_1000_LINES, (
        f"{inner} imports inside functions in {lines} lines ({per_1000:.1f} per 1,000; at most "
        f"{MAX_INNER_IMPORTS_PER_1000_LINES}): " + ", ".join(offenders))
