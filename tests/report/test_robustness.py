"""The report is a complete page for any valid bundle: small or degenerate trials, absent files,
missing values and results read back from results.json (khetrial.report, khetrial.sap.describe)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from khetrial.bundle import Bundle, read_bundle, write_bundle
from khetrial.report import build_report
from khetrial.report.tables import fmt_diff, fmt_num, fmt_p, fmt_pct
from khetrial.sap import Results, analyse, analyse_or_describe
from khetrial.simulate import simulate_bundle

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "bundle"
SECTIONS = ("Trial profile (CONSORT flow)", "Table 1. Baseline characteristics",
            "Table 2. Previous therapies for KHE", "Table 3. Efficacy outcomes", "Figure 2. Median platelet",
            "Individual platelet trajectories", "Differences between the arms", "Lesion response at month 12",
            "Table 4. Adverse events", "Design check", "Provenance", "bundle SHA-256")
REQUIRED_FILES = ("patients", "labs", "medications")  # bundle-format.md: the files marked (required)


def report(bundle: Bundle) -> str:
    """The report page of ``bundle`` from the results the CLI and the web page give it."""
    return build_report(bundle, analyse_or_describe(bundle))


def visible_text(html: str) -> str:
    """The page's text as a reader sees it (no scripts, styles or tags)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def assert_complete_page(html: str) -> None:
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    for title in SECTIONS:
        assert title in html, title
    assert html.count('class="plotly-graph-div"') == 4  # every figure is drawn, empty or not
    text = visible_text(html)
    assert not re.search(r"\b(None|nan|NaN|<NA>|NaT)\b", text), re.findall(r".{40}\b(?:None|nan|NaN)\b.{20}", text)


@pytest.fixture(scope="module")
def example():
    return read_bundle(EXAMPLE)


def subset(bundle: Bundle, patient_ids, files=None) -> Bundle:
    """The bundle restricted to ``patient_ids`` (and screen failures), and to ``files`` if given."""
    tables = {}
    for name, frame in bundle.tables.items():
        if files is not None and name not in files:
            continue
        keep = frame["patient_id"].isin(patient_ids)
        tables[name] = frame[keep | frame["patient_id"].isna()] if name == "screening" else frame[keep]
    return Bundle.from_tables(**tables)


def valid(bundle: Bundle, folder: Path) -> Bundle:
    """The bundle written and read back, which checks every rule of the format."""
    write_bundle(bundle, folder)
    return read_bundle(folder)


def test_report_of_the_example_bundle(example):
    html = report(example)
    assert_complete_page(html)
    # examples/bundle/README.md: "eight screened children: the six randomized and two screen failures",
    # "three per arm"; KHE-005 (arm S) "discontinued for lack of efficacy"
    for box in ("Assessed for eligibility (n = 8)", "Excluded (n = 2)", "Randomized (n = 6)",
                "Allocated to sirolimus + prednisolone (n = 3)", "Lack of efficacy: 1"):
        assert box in html, box
    assert "not estimable" not in visible_text(html).split("Table 3.")[0]  # both arms: the lead has the result


# Degenerate bundles cut from the example (its README lists who is in which arm: SP = 001, 003, 006).
DEGENERATE = {
    "one patient": (["KHE-001"], None),
    "one arm only": (["KHE-001", "KHE-003", "KHE-006"], None),
    "one patient per arm": (["KHE-001", "KHE-002"], None),
    "one patient per arm, required files only": (["KHE-001", "KHE-002"], REQUIRED_FILES),
    "every patient, required files only": (None, REQUIRED_FILES),
    "patients only": (None, ("patients",)),
    "no patient at all": ([], REQUIRED_FILES),
}


@pytest.mark.parametrize("case", sorted(DEGENERATE))
def test_report_of_a_degenerate_bundle(example, case, tmp_path):
    ids, files = DEGENERATE[case]
    ids = list(example.patients["patient_id"]) if ids is None else ids
    html = report(valid(subset(example, ids, files), tmp_path / "bundle"))
    assert_complete_page(html)
    assert f"Randomized (n = {len(ids)})" in html


def test_one_arm_only_says_why_nothing_is_compared(example):
    html = report(subset(example, ["KHE-001", "KHE-003", "KHE-006"]))
    text = visible_text(html)
    assert "The comparison between the arms is not estimable" in text
    assert "no patient in arm S" in text  # the analysis's own reason, shown to the reader
    # Table 1 still describes the one arm: KHE-001, 003, 006 are girl, girl, boy (patients.csv)
    assert "2/3 (66.7%)" in text


def test_a_week_without_platelet_counts(example):
    labs = example.labs
    day = (labs["date"] - labs["patient_id"].map(example.patients.set_index("patient_id")["randomization_date"])).dt.days
    week2 = (labs["test"].astype(str) == "platelets") & day.between(11, 17)  # SAP: day 14 ± 3
    assert_complete_page(report(example.replace(labs=labs[~week2])))


def test_no_platelet_count_at_all(example):
    labs = example.labs[example.labs["test"].astype(str) != "platelets"]
    html = report(example.replace(labs=labs))
    assert_complete_page(html)
    assert "No platelet count" in html


def test_results_with_nulls_from_results_json(example):
    results = json.loads(analyse(example).to_json())
    results["platelets_mixed_model_wk4"] = {"difference": None, "ci95": None, "note": "model did not converge"}
    for entry in results["binary"].values():
        entry["p_value"] = None
    results["binary"]["kmp_rebound"]["ci95"] = [None, None]
    results["transfusions_m12"]["SP"]["mean"] = None
    results["adverse_events"]["p_value"] = float("nan")
    results["baseline"]["continuous"]["age_months"]["S"] = dict.fromkeys(
        ("mean", "min", "max", "median", "q1", "q3"), None) | {"n": 0}
    html = build_report(example, Results.from_dict(results), compare_publication=True)
    assert_complete_page(html)
    text = visible_text(html)
    assert "not estimable" in text and "Mixed model not estimable: model did not converge" in text


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=2**32 - 1), n=st.integers(min_value=1, max_value=12))
def test_report_is_complete_for_any_small_simulated_trial(seed, n):
    bundle = simulate_bundle(seed=seed, n_patients=n)  # validated on the way
    html = report(bundle)
    assert_complete_page(html)
    assert f"Randomized (n = {n})" in html


@pytest.mark.parametrize(("value", "expected"), [(None, "–"), (float("nan"), "–"), (pd.NA, "–"), (0.0004, "<0.001"),
                                                 (0.0123, "0.012")])
def test_p_values_print_a_dash_when_missing(value, expected):
    assert fmt_p(value) == expected


def test_missing_numbers_print_a_dash():
    assert fmt_num(None) == fmt_num(float("inf")) == fmt_pct(None, 3) == "–"
    assert fmt_pct(0, 0) == "0/0"
    # hand computation: 0.25 -> 25.0 percentage points; a missing interval is named, not invented
    assert fmt_diff(0.25, [None, None]) == "25.0 (not estimable)"
    assert fmt_diff(None, None) == "–"


def test_report_command_on_a_one_arm_bundle(example, tmp_path):
    from typer.testing import CliRunner

    from khetrial.cli import app

    folder = tmp_path / "b"
    write_bundle(subset(example, ["KHE-002", "KHE-004", "KHE-005"]), folder)
    out = tmp_path / "r.html"
    result = CliRunner().invoke(app, ["report", str(folder), "--out", str(out), "--results", str(tmp_path / "r.json")])
    assert result.exit_code == 0, result.output
    assert_complete_page(out.read_text(encoding="utf-8"))
    saved = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert saved["n"] == {"SP": 0, "S": 3} and "no patient in arm SP" in saved["not_estimable"]
