"""Time to durable response: Kaplan–Meier per arm and log-rank, against R's survival package."""

import json
from pathlib import Path

import pandas as pd
import pytest

from khetrial.errors import AnalysisError
from khetrial.stats.survival import kaplan_meier, time_to_event

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def result():
    return time_to_event(pd.read_csv(FIXTURES / "time_to_response.csv"))


@pytest.fixture(scope="module")
def survival_r():
    return json.loads((FIXTURES / "time_to_response.json").read_text())


@pytest.mark.parametrize("arm", ["SP", "S"])
def test_medians_and_their_intervals_agree_with_r(result, survival_r, arm):
    # R: survfit(Surv(time, event) ~ arm, conf.type = "log-log"), time_to_response.json
    curve, reference = result.curves[arm], survival_r[arm]
    assert (curve.n, curve.events) == (reference["n"], reference["events"])
    assert curve.median == pytest.approx(reference["median"])
    assert [curve.median_lower, curve.median_upper] == pytest.approx(reference["median_ci95"])


def test_logrank_agrees_with_r(result, survival_r):
    # R: survdiff(Surv(time, event) ~ arm)
    assert result.logrank_statistic == pytest.approx(survival_r["logrank_chi2"], rel=1e-6)
    assert result.p_value == pytest.approx(survival_r["p_value"], rel=1e-5)


def test_kaplan_meier_by_hand():
    # times 1, 2, 2, 3+, 4: S(1) = 4/5, S(2) = 4/5 × 2/4 = 0.4, S(4) = 0.4 × 0/1 = 0
    curve = kaplan_meier([1, 2, 2, 3, 4], [1, 1, 1, 0, 1])
    survival = dict(zip(curve.times, curve.survival))
    assert survival[1.0] == pytest.approx(0.8)
    assert survival[2.0] == pytest.approx(0.4)
    assert survival[4.0] == pytest.approx(0.0)
    assert curve.median == 2.0  # first time the curve is ≤ 0.5


def test_a_curve_that_never_reaches_one_half_has_no_median():
    curve = kaplan_meier([5, 6, 7, 8], [1, 0, 0, 0])
    assert curve.median is None


def test_bad_inputs_are_refused():
    with pytest.raises(AnalysisError, match="one of each"):
        kaplan_meier([1, 2], [1])
    with pytest.raises(AnalysisError, match="≥ 0"):
        kaplan_meier([-1, 2], [1, 0])
    with pytest.raises(AnalysisError, match="lacks event"):
        time_to_event(pd.DataFrame({"arm": ["SP"], "time": [1.0]}))
