"""The analysis plan's results object (SAP "Binary endpoints", "Transfusions", "Adverse
events", "Machine-readable results") and the derive/analyse commands."""

import hashlib
import json
import os
import subprocess
import sys
from datetime import datetime, timezone
from importlib.metadata import version

import pandas as pd
import pytest
from typer.testing import CliRunner

from khetrial.bundle import Bundle, read_bundle
from khetrial.cli import app
from khetrial.edc import store
from khetrial.endpoints.adsl import AnalysisTables, derive_adsl
from khetrial.errors import AnalysisError
from khetrial.sap.plan import adverse_event_result, analyse, binary_result, transfusion_result

BINARY_IDS = [  # SAP table "Binary endpoints: what is reported"
    "durable_platelet_response_wk1", "durable_platelet_response_wk2",
    "durable_platelet_response_wk3", "durable_platelet_response_wk4",
    "fibrinogen_stabilization_wk4", "lesion_overall_response_m12", "lesion_good_response_m12",
    "qol_improvement_m12", "kmp_rebound", "sequelae_m24", "discontinued_lack_of_efficacy",
]
runner = CliRunner()


def arms_frame(column, sp_values, s_values):
    return pd.DataFrame({"patient_id": [f"P{i}" for i in range(len(sp_values) + len(s_values))],
                         "arm": ["SP"] * len(sp_values) + ["S"] * len(s_values),
                         column: list(sp_values) + list(s_values)})


def test_binary_result_reproduces_the_publications_primary_outcome():
    # Pub.: "35 of 37 patients ... compared with 24 of 36 ... (difference 27.9%; 95% confidence
    # interval, 10.0-44.7)"; R: fisher.test(matrix(c(35,2,24,12),2))$p.value = 0.002859556055.
    adsl = arms_frame("durable_platelet_response_wk4", [1] * 35 + [0] * 2, [1] * 24 + [0] * 12)
    r = binary_result(adsl, "durable_platelet_response_wk4", {"SP": 37, "S": 36}).to_dict()
    assert r["SP"] == {"events": 35, "n": 37, "proportion": 35 / 37, "percent": 100 * 35 / 37}
    assert r["S"]["events"] == 24 and r["S"]["n"] == 36
    assert r["difference"] == pytest.approx(35 / 37 - 24 / 36)
    # SAP "Machine-readable results" example: "ci95": [0.0995, 0.4472]
    assert r["ci95"] == [pytest.approx(0.0995, abs=5e-5), pytest.approx(0.4472, abs=5e-5)]
    assert r["p_value"] == pytest.approx(0.002859556055, rel=1e-8)


def test_transfusions_mean_median_and_mann_whitney():
    # R: wilcox.test(c(0,1,2), c(3,4,5), exact=FALSE, correct=FALSE)$p.value = 0.04953461
    r = transfusion_result(arms_frame("transfusions_m12", [0, 1, 2], [3, 4, 5])).to_dict()
    assert (r["SP"]["mean"], r["SP"]["median"], r["S"]["mean"], r["S"]["median"]) == (1, 1, 4, 4)
    assert r["p_value"] == pytest.approx(0.04953461, rel=1e-6)


def test_transfusions_p_value_is_null_when_every_value_ties():
    assert transfusion_result(arms_frame("transfusions_m12", [0, 0], [0, 0])).p_value is None


def test_adverse_events_per_arm_per_term_and_events_per_patient_test():
    adsl = arms_frame("ae_events", [2, 1, 2, 0], [1, 0, 0, 1]).assign(
        ae_grade3plus_events=[1, 0, 0, 0, 0, 0, 0, 1])
    terms = pd.DataFrame({"patient_id": ["P0", "P2", "P4"], "term": ["fever", "fever", "fever"],
                          "any_grade": [1, 1, 1], "grade3plus": [1, 0, 0]})
    r = adverse_event_result(AnalysisTables(adsl, None, None, terms), {"SP": 4, "S": 4}).to_dict()
    # SP: 5 events in 4 patients (1.25 per patient), 3 patients with any, 1 event/patient of
    # grade ≥ 3; S: 2 events, 2 patients, 1 grade ≥ 3.
    assert r["SP"] == {"events": 5, "per_patient": 1.25, "patients": 3, "grade3plus_events": 1,
                       "grade3plus_patients": 1}
    assert r["S"]["events"] == 2 and r["S"]["patients"] == 2
    # R: wilcox.test(c(2,1,2,0), c(1,0,0,1), exact=FALSE, correct=FALSE)$p.value = 0.2216999938
    assert r["p_value"] == pytest.approx(0.2216999938, rel=1e-8)
    # fever: SP 2 of 4, S 1 of 4; R: fisher.test(matrix(c(2,2,1,3),2))$p.value = 1
    fever = r["terms"]["fever"]
    assert fever["SP"] == {"patients": 2, "grade3plus_patients": 1} and fever["S"]["patients"] == 1
    assert fever["p_value"] == pytest.approx(1.0)


def test_analyse_the_example_bundle_gives_every_key_of_the_plan(example_bundle_dir):
    bundle = read_bundle(example_bundle_dir)
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    results = analyse(bundle, run_at=when).to_dict()
    patients = bundle.patients
    assert results["n"] == {"SP": int((patients["arm"] == "SP").sum()), "S": int((patients["arm"] == "S").sum())}
    assert list(results["binary"]) == BINARY_IDS
    for r in results["binary"].values():
        assert {"SP", "S", "difference", "ci95", "p_value"} <= set(r)
        assert set(r["SP"]) >= {"events", "n"} and r["SP"]["n"] == results["n"]["SP"]
    assert {"SP", "S", "p_value"} <= set(results["transfusions_m12"])
    assert {"mean", "median"} <= set(results["transfusions_m12"]["SP"])
    assert {"difference", "ci95"} <= set(results["platelets_mixed_model_wk4"])
    for arm in ("SP", "S"):
        assert {"events", "per_patient", "patients", "grade3plus_events", "grade3plus_patients"} <= set(results["adverse_events"][arm])
    assert "p_value" in results["adverse_events"]
    assert set(results["platelets_weekly"]) == {"0", "1", "2", "3", "4"}
    # Provenance: SHA-256 of each file of the bundle folder, as hashlib computes it.
    expected = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in example_bundle_dir.glob("*.csv")}
    assert results["provenance"]["bundle_sha256"] == expected
    assert results["provenance"]["run_at_utc"] == "2026-01-02T03:04:05Z"
    # Issue 3: "a provenance object: khetrial version, ..." — the installed distribution's version
    assert results["provenance"]["khetrial_version"] == version("khetrial")
    json.loads(json.dumps(results, allow_nan=False))  # strict JSON, no NaN


def test_analyse_refuses_a_bundle_with_one_arm_only():
    patients = pd.DataFrame({"patient_id": ["P1"], "arm": ["SP"], "randomization_date": ["2020-01-01"]})
    with pytest.raises(AnalysisError, match="no patient in arm S"):
        analyse(Bundle.from_tables(patients=patients))


def test_a_valid_bundle_without_patients_derives_an_empty_adsl_and_is_refused_by_analyse(example_bundle_dir):
    # bundle-format.md allows a patients.csv with a header and no rows; the plan's comparison
    # then has no patient in either arm, which analyse must say in words (not a TypeError).
    full = read_bundle(example_bundle_dir)
    empty = full.replace(**{name: table.iloc[0:0] for name, table in full.tables.items()})
    assert len(derive_adsl(empty)) == 0
    with pytest.raises(AnalysisError, match="no patient in arm SP and S"):
        analyse(empty)


def test_cli_derive_writes_the_plan_columns(example_bundle_dir, tmp_path):
    out = tmp_path / "adsl.csv"
    result = runner.invoke(app, ["derive", str(example_bundle_dir), "--out", str(out)])
    assert result.exit_code == 0, result.output
    header = out.read_text().splitlines()[0].split(",")
    assert header[:3] == ["patient_id", "arm", "censoring_day"] and header[17] == "transfusions_m12"
    written = pd.read_csv(out, keep_default_na=False, dtype=str)
    # Uncensored patients have an empty censoring_day.
    assert "" in set(written["censoring_day"])


def test_cli_analyse_json_prints_one_object_and_writes_results(example_bundle_dir, tmp_path):
    out = tmp_path / "results.json"
    result = runner.invoke(app, ["analyse", str(example_bundle_dir), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed["n"] == json.loads(out.read_text())["n"]


def test_cli_analyse_prints_a_table_of_binary_endpoints(example_bundle_dir, tmp_path):
    result = runner.invoke(app, ["analyse", str(example_bundle_dir), "--out", str(tmp_path / "r.json")])
    assert result.exit_code == 0, result.output
    assert "durable_platelet_response_wk4" in result.output and "SP n = 3, S n = 3" in result.output


@pytest.mark.parametrize("args", [[], ["examples/bundle", "--db", "sqlite:///x.sqlite3"]])
def test_cli_analyse_needs_exactly_one_of_bundle_and_db(args, tmp_path):
    result = runner.invoke(app, ["analyse", *args, "--out", str(tmp_path / "r.json")])
    assert result.exit_code == 2
    assert "exactly one" in result.output


def test_a_bundle_loaded_from_the_database_gives_the_same_results(db, example_bundle_dir):
    bundle = read_bundle(example_bundle_dir)
    store.import_bundle(bundle)
    from_db, from_folder = analyse(store.load_bundle()).to_dict(), analyse(bundle).to_dict()
    # the database's export is hashed in memory as the bundle writer writes it: the same bytes
    # as examples/bundle's files, so the same checksums
    assert from_db.pop("provenance")["bundle_sha256"] == from_folder.pop("provenance")["bundle_sha256"]
    assert from_db == from_folder


@pytest.mark.slow
def test_cli_analyse_with_db_in_a_fresh_process_gives_the_bundles_results(example_bundle_dir, tmp_path):
    # Issue 3: "khetrial analyse BUNDLE --out results.json (also --db URL instead of a bundle)".
    url = f"sqlite:///{tmp_path / 'trial.sqlite3'}"
    env = {k: v for k, v in os.environ.items() if k != "KHETRIAL_DATABASE_URL"}
    khetrial = [sys.executable, "-m", "khetrial"]
    for args in (["import", str(example_bundle_dir), "--db", url, "--json"],
                 ["analyse", "--db", url, "--out", str(tmp_path / "results.json")]):
        done = subprocess.run(khetrial + args, capture_output=True, text=True, env=env, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
    from_db = json.loads((tmp_path / "results.json").read_text())
    from_folder = analyse(read_bundle(example_bundle_dir)).to_dict()
    assert from_db.pop("provenance")["bundle_sha256"].keys() == from_folder.pop("provenance")["bundle_sha256"].keys()
    assert from_db == from_folder
