"""Sensitivity analyses of the week-4 platelet change (MMRM, ANCOVA) against R."""

import json
from pathlib import Path

import pandas as pd
import pytest

from khetrial.errors import AnalysisError
from khetrial.stats.sensitivity import ANCOVA, MMRM, platelet_ancova, platelet_mmrm

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def long_data():
    return pd.read_csv(FIXTURES / "platelets_long.csv")


@pytest.fixture(scope="module")
def r_fits():
    return json.loads((FIXTURES / "platelets_sensitivity.json").read_text())


def test_mmrm_agrees_with_nlme_gls_unstructured(long_data, r_fits):
    result = platelet_mmrm(long_data)
    # R: gls(..., corSymm(form = ~ visit | patient_id), varIdent(form = ~ 1 | week), REML)
    assert result.model == MMRM
    assert result.difference == pytest.approx(r_fits["mmrm_week4_difference"], rel=1e-5)
    assert result.se == pytest.approx(r_fits["mmrm_se"], rel=1e-4)
    assert result.df == r_fits["mmrm_df"]
    assert [result.lower, result.upper] == pytest.approx(r_fits["mmrm_ci95"], rel=1e-4)


def test_ancova_agrees_with_lm(long_data, r_fits):
    result = platelet_ancova(long_data)
    # R: lm(change ~ arm + baseline, data = week-4 rows); confint(..., "armSP")
    assert result.model == ANCOVA
    assert result.difference == pytest.approx(r_fits["ancova_difference"], rel=1e-9)
    assert result.se == pytest.approx(r_fits["ancova_se"], rel=1e-9)
    assert result.df == r_fits["ancova_df"]
    assert result.n_patients == r_fits["ancova_n"]
    assert [result.lower, result.upper] == pytest.approx(r_fits["ancova_ci95"], rel=1e-9)


def test_to_dict_names_the_model_and_its_degrees_of_freedom(long_data):
    out = platelet_ancova(long_data).to_dict()
    assert out["model"] == ANCOVA and out["df"] == 49 and "t quantile" in out["df_method"]
    assert len(out["ci95"]) == 2


def test_an_arm_without_week4_values_is_refused_with_the_reason(long_data):
    with pytest.raises(AnalysisError, match="arm S has no change value at week 4"):
        platelet_ancova(long_data[~((long_data["arm"] == "S") & (long_data["week"] == 4))])
