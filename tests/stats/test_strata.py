"""Site-stratified Mantel–Haenszel difference and CMH test against R (metafor, mantelhaen.test)."""

import json
from pathlib import Path

import pytest

from khetrial.errors import AnalysisError
from khetrial.stats.strata import mantel_haenszel_difference

FIXTURES = Path(__file__).parent / "fixtures"
# the five sites of tests/stats/fixtures/strata.R: (events SP, n SP, events S, n S)
SITES = {"A": (12, 13, 9, 13), "B": (8, 8, 6, 8), "C": (6, 7, 4, 7), "D": (5, 5, 3, 5), "E": (4, 4, 2, 3)}


def test_mantel_haenszel_difference_and_cmh_agree_with_r():
    reference = json.loads((FIXTURES / "strata.json").read_text())
    result = mantel_haenszel_difference(SITES)
    # R: rma.mh(measure = "RD") and mantelhaen.test(correct = FALSE), strata.json
    assert result.difference == pytest.approx(reference["difference"], rel=1e-9)
    assert result.se == pytest.approx(reference["se"], rel=1e-9)
    assert [result.lower, result.upper] == pytest.approx(reference["ci95"], rel=1e-6)
    assert result.cmh_statistic == pytest.approx(reference["cmh_chi2"], rel=1e-9)
    assert result.p_value == pytest.approx(reference["p_value"], rel=1e-6)


def test_one_stratum_gives_the_crude_difference():
    # hand: 30/37 − 21/36 = 0.81081… − 0.58333… = 0.22748
    result = mantel_haenszel_difference({"all": (30, 37, 21, 36)})
    assert result.difference == pytest.approx(30 / 37 - 21 / 36)


def test_a_site_with_one_arm_only_is_left_out_and_named():
    result = mantel_haenszel_difference({**SITES, "F": (2, 2, 0, 0)})
    assert result.strata == 5 and result.strata_dropped == ("F",)
    assert result.difference == pytest.approx(mantel_haenszel_difference(SITES).difference)


def test_impossible_counts_are_refused_with_the_stratum_named():
    with pytest.raises(AnalysisError, match="stratum 'X'"):
        mantel_haenszel_difference({"X": (5, 4, 1, 3)})
    with pytest.raises(AnalysisError, match="no stratum"):
        mantel_haenszel_difference({"X": (1, 3, 0, 0)})
