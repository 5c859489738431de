"""``khetrial validate``: exit code 0 and a one-line summary, or exit 2 and the problem table."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from khetrial.cli import app
from khetrial.cli.app import console, err_console

runner = CliRunner()


@pytest.fixture(autouse=True)
def wide_consoles(monkeypatch):
    """Rich consoles as wide as a big terminal, so that no line of the output wraps."""
    for c in (console, err_console):
        monkeypatch.setattr(c, "_width", 250)


def test_a_valid_bundle_prints_its_counts_and_exits_0(example_bundle_dir):
    result = runner.invoke(app, ["validate", str(example_bundle_dir)])
    assert result.exit_code == 0, result.output
    # examples/bundle: patients.csv has 6 rows, labs.csv 204, medications.csv 19
    assert f"{example_bundle_dir}: valid (6 patients, 204 lab rows" in result.output
    assert "19 medication courses" in result.output


def test_an_invalid_bundle_prints_the_problem_table_and_exits_2(bundle_copy, edit_cell):
    edit_cell("labs.csv", 2, "value", "-3")
    edit_cell("patients.csv", 3, "sex", "X")
    result = runner.invoke(app, ["validate", str(bundle_copy)])
    assert result.exit_code == 2
    assert f"{bundle_copy}: 2 problem(s)" in " ".join(result.output.split())  # the title may wrap
    for words in ("file", "line", "column", "value", "problem",
                  "labs.csv", "platelets must be 0–2000 ×10⁹/L", "patients.csv", "sex must be one of F, M"):
        assert words in result.output


def test_json_output_is_one_object(example_bundle_dir, bundle_copy, edit_cell):
    ok = runner.invoke(app, ["validate", str(example_bundle_dir), "--json"])
    assert ok.exit_code == 0
    assert json.loads(ok.stdout) == {"bundle": str(example_bundle_dir), "valid": True, "rows": {
        # row counts of the files in examples/bundle (wc -l minus the header line)
        # (body_size.csv is absent: no records)
        "patients": 6, "labs": 204, "drug_levels": 29, "body_size": 0, "medications": 19, "mri": 12, "qol": 98,
        "adverse_events": 8, "transfusions": 7, "sequelae": 30, "disposition": 5, "screening": 8}}
    edit_cell("mri.csv", 2, "lesion_volume_ml", "6000")
    bad = runner.invoke(app, ["validate", str(bundle_copy), "--json"])
    assert bad.exit_code == 2
    assert json.loads(bad.stdout)["problems"] == [{
        "file": "mri.csv", "line": 2, "column": "lesion_volume_ml", "value": "6000",
        "message": "lesion_volume_ml must be 0–5000 mL"}]


def test_a_missing_folder_exits_2(tmp_path):
    result = runner.invoke(app, ["validate", str(tmp_path / "nowhere")])
    assert result.exit_code == 2
    assert "does not exist" in result.output
