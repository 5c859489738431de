"""REML fits written out in numpy (stats/reml.py) against lme4 and statsmodels."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.regression.mixed_linear_model import MixedLM

from khetrial.errors import AnalysisError
from khetrial.stats.mixed import design_matrix, prepare_model_data
from khetrial.stats.reml import fit_random_intercept, fit_unstructured, patient_sums

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def model_data():
    frame = prepare_model_data(pd.read_csv(FIXTURES / "platelets_long.csv"), 4)
    design, names = design_matrix(frame)
    contrast = np.zeros(len(names))
    contrast[names.index("armSP")] = contrast[names.index("armSP:week4")] = 1.0
    return frame, design, contrast


@pytest.fixture(scope="module")
def lmer():
    return json.loads((FIXTURES / "platelets_lmer.json").read_text())


def test_random_intercept_fit_equals_lme4_to_1e_6(model_data, lmer):
    frame, design, contrast = model_data
    fit = fit_random_intercept(frame["change"], design, frame["patient_id"])
    # R: lmer(change ~ arm * factor(week) + baseline + (1 | patient_id)), platelets_lmer.json
    assert contrast @ fit.beta == pytest.approx(lmer["week4_difference"], rel=1e-6)
    assert np.sqrt(contrast @ fit.covariance @ contrast) == pytest.approx(lmer["se"], rel=1e-6)
    assert fit.patient_variance == pytest.approx(lmer["patient_intercept_variance"], rel=1e-6)
    assert fit.residual_variance == pytest.approx(lmer["residual_variance"], rel=1e-6)
    assert (fit.n_patients, fit.n_observations) == (lmer["n_patients"], lmer["n_observations"])


def test_random_intercept_fit_equals_statsmodels_as_a_second_reference(model_data):
    frame, design, contrast = model_data
    fit = fit_random_intercept(frame["change"], design, frame["patient_id"])
    reference = MixedLM(frame["change"].to_numpy(float), design, groups=frame["patient_id"]).fit(reml=True)
    covariance = np.asarray(reference.cov_params())[: len(contrast), : len(contrast)]
    assert contrast @ fit.beta == pytest.approx(contrast @ reference.fe_params, rel=1e-5)
    assert contrast @ fit.covariance @ contrast == pytest.approx(contrast @ covariance @ contrast, rel=1e-4)


def test_row_order_does_not_change_the_fit(model_data):
    frame, design, contrast = model_data
    order = np.random.default_rng(3).permutation(len(frame))
    a = fit_random_intercept(frame["change"], design, frame["patient_id"])
    b = fit_random_intercept(frame["change"].to_numpy()[order], design[order], frame["patient_id"].to_numpy()[order])
    assert contrast @ a.beta == pytest.approx(contrast @ b.beta, rel=1e-12)


def test_patient_sums_are_the_per_patient_column_and_response_sums():
    y = np.array([1.0, 2.0, 3.0])
    X = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 5.0]])
    n, S, t, XtX, Xty, yty = patient_sums(y, X, np.array(["a", "a", "b"]))
    # hand: patient a has rows 1-2 (sums [2, 1], y 3), patient b row 3 (sums [1, 5], y 3)
    assert n.tolist() == [2, 1]
    assert S.tolist() == [[2.0, 1.0], [1.0, 5.0]]
    assert t.tolist() == [3.0, 3.0]
    assert yty == 14.0 and Xty.tolist() == [6.0, 17.0] and XtX.tolist() == [[3.0, 6.0], [6.0, 26.0]]


def test_no_patient_variance_gives_ordinary_least_squares():
    # Each patient has one row: the patient variance is not identifiable apart from the residual
    # one, and REML's estimate of β is the OLS one (hand: y = 1 + 2x exactly plus symmetric noise).
    x = np.arange(8.0)
    y = 1 + 2 * x + np.array([1, -1, 1, -1, -1, 1, -1, 1.0])
    X = np.column_stack([np.ones(8), x])
    fit = fit_random_intercept(y, X, np.arange(8))
    ols = np.linalg.lstsq(X, y, rcond=None)[0]
    assert fit.beta == pytest.approx(ols, abs=1e-9)


def test_unstructured_fit_with_one_visit_is_least_squares_with_its_variance():
    x = np.arange(6.0)
    y = np.array([0.5, 2.0, 2.5, 4.5, 4.0, 6.0])
    X = np.column_stack([np.ones(6), x])
    fit = fit_unstructured(y, X, np.arange(6), np.zeros(6, int), 1)
    beta = np.linalg.lstsq(X, y, rcond=None)[0]
    residual = y - X @ beta
    assert fit.beta == pytest.approx(beta, abs=1e-8)
    # REML variance of OLS: RSS / (N − p)
    assert fit.visit_covariance[0, 0] == pytest.approx(residual @ residual / 4, rel=1e-5)


def test_bad_inputs_raise_analysis_errors():
    X = np.ones((3, 1))
    with pytest.raises(AnalysisError, match="one design row"):
        fit_random_intercept(np.ones(2), X, np.arange(3))
    with pytest.raises(AnalysisError, match="finite"):
        fit_random_intercept(np.array([1.0, np.nan, 2.0]), X, np.arange(3))
    with pytest.raises(AnalysisError, match="two rows at one visit"):
        fit_unstructured(np.arange(4.0), np.column_stack([np.ones(4), np.arange(4.0)]),
                         np.array([1, 1, 2, 2]), np.array([0, 0, 0, 1]), 2)


def test_unstructured_fit_of_data_without_residual_variance_is_an_analysis_error():
    # y = 10 × visit exactly (no noise): the random-intercept start has residual variance 0, so
    # there is no covariance to estimate; an AnalysisError (which the sensitivity table turns
    # into a note), not numpy's LinAlgError
    groups = np.repeat(np.arange(4), 3)
    visits = np.tile(np.arange(3), 4)
    X = np.column_stack([np.ones(12), visits == 1, visits == 2]).astype(float)
    y = 10.0 * visits
    with pytest.raises(AnalysisError, match="no variance"):
        fit_unstructured(y, X, groups, visits, 3)
