"""khetrial.stats.mixed: the platelet mixed model against R's lme4.

Reference: `Rscript tests/stats/fixtures/platelets_lmer.R` (R 4.2.2, lme4 1.1.31) fits
`lmer(change ~ arm * factor(week) + baseline + (1 | patient_id), REML = TRUE)` on
fixtures/platelets_long.csv (simulated by fixtures/make_platelets_long.py, seed 20260522) and
prints fixtures/platelets_lmer.json, recorded there. The test does not need R.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from khetrial.errors import AnalysisError
from khetrial.stats import platelet_mixed_model

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def long_data() -> pd.DataFrame:
    return pd.read_csv(FIXTURES / "platelets_long.csv")


@pytest.fixture(scope="module")
def lmer() -> dict:
    return json.loads((FIXTURES / "platelets_lmer.json").read_text())


@pytest.fixture(scope="module")
def result(long_data):
    return platelet_mixed_model(long_data)


def test_week4_difference_and_wald_interval_agree_with_lme4_within_1_percent(result, lmer):
    # platelets_lmer.json: "week4_difference": 55.29705744, "se": 12.35429266,
    # "ci95": [31.08308876, 79.51102611]
    assert result.difference == pytest.approx(lmer["week4_difference"], rel=0.01)
    assert result.se == pytest.approx(lmer["se"], rel=0.01)
    assert result.lower == pytest.approx(lmer["ci95"][0], rel=0.01)
    assert result.upper == pytest.approx(lmer["ci95"][1], rel=0.01)
    # in fact much closer: REML estimates agree to about 1e-4 relative
    assert result.difference == pytest.approx(lmer["week4_difference"], rel=1e-4)


def test_counts_of_patients_and_observations_agree_with_lme4(result, lmer):
    # platelets_lmer.json: "n_patients": 60, "n_observations": 219
    assert (result.n_patients, result.n_observations) == (lmer["n_patients"], lmer["n_observations"])
    assert result.converged


def test_interval_uses_the_plans_normal_quantile(result):
    # SAP: "Wald 95 % CI (normal quantile 1.959964 ...)"; platelets_lmer.json "z": 1.95996398
    assert result.upper - result.difference == pytest.approx(1.959964 * result.se, rel=1e-12)
    assert result.difference - result.lower == pytest.approx(1.959964 * result.se, rel=1e-12)


def test_to_dict_has_results_json_keys(result):
    d = result.to_dict()
    assert set(d) >= {"difference", "ci95"} and len(d["ci95"]) == 2 and d["week"] == 4


def test_rows_without_change_or_baseline_are_left_out_and_input_is_not_modified(long_data, result):
    extra = pd.DataFrame([
        {"patient_id": "P900", "arm": "SP", "week": 1, "change": None, "baseline": 40},
        {"patient_id": "P901", "arm": "S", "week": 2, "change": 12, "baseline": None},
    ])
    data = pd.concat([long_data, extra], ignore_index=True).sample(frac=1, random_state=1)
    before = data.copy()
    refit = platelet_mixed_model(data)
    pd.testing.assert_frame_equal(data, before)
    # Same rows as the reference fit, so the same estimate (row order does not matter).
    assert refit.difference == pytest.approx(result.difference, rel=1e-6)
    assert refit.n_observations == result.n_observations


def test_arm_labels_other_than_sp_and_s_are_refused(long_data):
    data = long_data.replace({"arm": {"S": "control"}})
    with pytest.raises(AnalysisError, match="expected 'SP' or 'S'"):
        platelet_mixed_model(data)


def test_missing_columns_are_named(long_data):
    with pytest.raises(AnalysisError, match="lack the column\\(s\\) baseline"):
        platelet_mixed_model(long_data.drop(columns="baseline"))


def test_an_arm_without_week4_values_cannot_give_the_week4_contrast(long_data):
    data = long_data[~((long_data["arm"] == "S") & (long_data["week"] == 4))]
    with pytest.raises(AnalysisError, match="arm S has no change value at week 4"):
        platelet_mixed_model(data)


def test_weeks_outside_1_to_4_are_refused(long_data):
    data = long_data.assign(week=long_data["week"].replace({4: 5}))
    with pytest.raises(AnalysisError, match=r"got week\(s\) \['5'\]"):
        platelet_mixed_model(data)


def test_a_patient_in_both_arms_is_refused(long_data):
    data = long_data.copy()
    data.loc[data.index[0], "arm"] = "S" if data.loc[data.index[0], "arm"] == "SP" else "SP"
    with pytest.raises(AnalysisError, match="appear in both arms"):
        platelet_mixed_model(data)


def test_a_week_that_is_not_a_number_is_refused_not_dropped(long_data):
    data = long_data.astype({"week": object})
    data.loc[data.index[0], "week"] = "wk1"
    with pytest.raises(AnalysisError, match=r"got week\(s\) \['wk1'\]"):
        platelet_mixed_model(data)


def test_too_few_data_raise_analysis_error_not_a_numpy_error():
    # Five patients with one value each: the random intercept and residual cannot be separated.
    data = pd.DataFrame([
        {"patient_id": 1, "arm": "SP", "week": 1, "change": 5, "baseline": 20},
        {"patient_id": 2, "arm": "SP", "week": 4, "change": 50, "baseline": 30},
        {"patient_id": 3, "arm": "S", "week": 1, "change": 3, "baseline": 25},
        {"patient_id": 4, "arm": "S", "week": 4, "change": 10, "baseline": 40},
        {"patient_id": 5, "arm": "S", "week": 4, "change": 12, "baseline": 45},
    ])
    with pytest.raises(AnalysisError, match="platelet mixed model"):
        platelet_mixed_model(data)
