"""The report renders results it is given: it never runs the analysis (issue 11)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import khetrial.endpoints.adsl
import khetrial.sap
import khetrial.sap.plan
import khetrial.stats
from khetrial.bundle import read_bundle
from khetrial.report import build_report
from khetrial.sap import Results, analyse

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "bundle"
REPORT = Path(khetrial.sap.__file__).resolve().parents[1] / "report"
FORBIDDEN = ("khetrial.sap.plan", "khetrial.sap.summaries", "khetrial.endpoints", "khetrial.edc", "django")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("module", sorted(p.name for p in REPORT.glob("*.py")))
def test_no_report_module_imports_the_analysis_or_the_web_wing(module):
    imported = imported_modules(REPORT / module)
    assert not [m for m in imported if m.startswith(FORBIDDEN)], imported
    assert not [m for m in imported if m.startswith("khetrial.stats") and m != "khetrial.stats.rounding"]


def test_building_the_report_runs_no_analysis(monkeypatch):
    bundle = read_bundle(EXAMPLE)
    results = Results.from_json(analyse(bundle).to_json())  # as read back from a store

    def refuse(*args, **kwargs):
        raise AssertionError("the report ran the analysis")

    for module, name in ((khetrial.sap, "analyse"), (khetrial.sap.plan, "analyse"),
                         (khetrial.sap.plan, "describe"), (khetrial.sap.plan, "analyse_or_describe"),
                         (khetrial.endpoints.adsl, "derive_analysis_tables"),
                         (khetrial.stats, "platelet_mixed_model"), (khetrial.stats, "fisher_exact")):
        monkeypatch.setattr(module, name, refuse)
    html = build_report(bundle, results)
    assert "Table 3. Efficacy outcomes" in html
