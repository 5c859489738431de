"""khetrial.stats.significance: Fisher, Mann-Whitney, chi-square, categorical_test.

[R] = R 4.2.2, `Rscript tests/stats/fixtures/reference_tests.R`; its printed lines are quoted.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from khetrial.errors import ProtocolError
from khetrial.stats import categorical_test, chi_square, fisher_exact, mann_whitney

# --- Fisher ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2", "p"),
    [
        (35, 37, 24, 36, 0.00285955605462),  # [R] fisher 35/37 vs 24/36: 0.00285955605462
        (27, 37, 16, 36, 0.0178029500732),  # [R] fisher 27/37 vs 16/36: 0.0178029500732
        (34, 37, 29, 36, 0.189759422517),  # [R] fisher 34/37 vs 29/36: 0.189759422517
        (30, 37, 21, 36, 0.0432871605154),  # [R] fisher 30/37 vs 21/36: 0.0432871605154
        (33, 37, 28, 36, 0.220995566172),  # [R] fisher 33/37 vs 28/36: 0.220995566172
        (2, 37, 6, 36, 0.152178232561),  # [R] fisher 2/37 vs 6/36: 0.152178232561
        (4, 37, 12, 36, 0.0252282036529),  # [R] fisher 4/37 vs 12/36: 0.0252282036529
        (1, 37, 5, 36, 0.10703889807),  # [R] fisher 1/37 vs 5/36: 0.10703889807
        (0, 10, 0, 10, 1.0),  # [R] fisher 0/10 vs 0/10: 1
        (3, 6, 3, 6, 1.0),  # [R] fisher 3/6 vs 3/6: 1  (symmetric tables tie in floating point)
        (1, 2, 1, 2, 1.0),  # [R] fisher 1/2 vs 1/2: 1
        (10, 10, 0, 10, 1.08250882245e-05),  # [R] fisher 10/10 vs 0/10: 1.08250882245e-05
    ],
)
def test_fisher_exact_matches_r_fisher_test(x1, n1, x2, n2, p):
    assert fisher_exact(x1, n1, x2, n2) == pytest.approx(p, rel=1e-9)


def test_fisher_p_of_the_primary_outcome_rounds_to_the_plans_0_0029():
    # SAP, results.json example: "p_value": 0.0029 for 35/37 vs 24/36
    assert round(fisher_exact(35, 37, 24, 36), 4) == 0.0029


@settings(max_examples=60, deadline=None)
@given(n1=st.integers(1, 40), n2=st.integers(1, 40), data=st.data())
def test_fisher_p_is_a_probability_and_symmetric_in_the_groups(n1, n2, data):
    x1 = data.draw(st.integers(0, n1))
    x2 = data.draw(st.integers(0, n2))
    p = fisher_exact(x1, n1, x2, n2)
    assert 0.0 < p <= 1.0
    assert fisher_exact(x2, n2, x1, n1) == pytest.approx(p, rel=1e-9)
    # relabelling events as non-events gives the same table up to column order
    assert fisher_exact(n1 - x1, n1, n2 - x2, n2) == pytest.approx(p, rel=1e-9)


def test_fisher_rejects_impossible_counts():
    with pytest.raises(ProtocolError, match="between 0 and n = 36"):
        fisher_exact(35, 37, 40, 36)


# --- Mann-Whitney ------------------------------------------------------------------------------


def test_mann_whitney_with_ties_matches_r_wilcox_test_without_continuity_correction():
    # [R] wilcox.test(a, b, exact = FALSE, correct = FALSE): W = 33 p = 0.0384289566211
    a = [0, 0, 1, 1, 1, 2, 2, 3, 4, 0, 1, 2]
    b = [1, 2, 2, 3, 3, 3, 4, 5, 2, 6, 0]
    result = mann_whitney(a, b)
    assert result.statistic == 33
    assert result.p_value == pytest.approx(0.0384289566211, rel=1e-9)
    assert result.method == "mann-whitney"


def test_mann_whitney_without_ties_matches_r():
    # [R] wilcox a2 b2: W = 14 p = 0.32718687779
    result = mann_whitney([1.5, 2.25, 3.75, 8.5, 10.125], [0.5, 2.0, 2.5, 4.0])
    assert result.statistic == 14
    assert result.p_value == pytest.approx(0.32718687779, rel=1e-9)


def test_mann_whitney_p_is_none_when_every_value_ties():
    # [R] wilcox all ties: W = 3 p = NaN  (SAP: "null when every value ties")
    result = mann_whitney([2, 2, 2], [2, 2])
    assert result.p_value is None
    assert result.statistic == 3
    assert result.to_dict()["p_value"] is None


@pytest.mark.parametrize(("a", "b", "message"), [
    ([], [1, 2], "first sample is empty"),
    ([1, 2], [float("nan")], "finite number"),
    ([1, None], [1], "finite number"),
])
def test_mann_whitney_rejects_empty_or_missing_values(a, b, message):
    with pytest.raises(ProtocolError, match=message):
        mann_whitney(a, b)


# --- Chi-square and the baseline-table choice ----------------------------------------------------


def test_chi_square_3x2_matches_r_chisq_test():
    # [R] chisq 3x2: X2 = 1.52782574692 df = 2 p = 0.465840082916
    result = chi_square([[12, 5], [20, 10], [14, 12]])
    assert result.statistic == pytest.approx(1.52782574692, rel=1e-9)
    assert result.df == 2
    assert result.p_value == pytest.approx(0.465840082916, rel=1e-9)


def test_chi_square_2x4_matches_r_chisq_test():
    # [R] chisq 2x4: X2 = 9.55666878873 df = 3 p = 0.0227360790697
    result = chi_square([[3, 9, 4, 1], [7, 2, 5, 6]])
    assert result.statistic == pytest.approx(9.55666878873, rel=1e-9)
    assert (result.df, result.method) == (3, "chi-square")
    assert result.p_value == pytest.approx(0.0227360790697, rel=1e-9)


def test_chi_square_drops_a_category_nobody_has():
    # The empty middle row carries no information; the result is the 2×2... table without it:
    # [R] chisq 3x2 above with an all-zero row added gives the same as without it.
    assert chi_square([[12, 5], [0, 0], [20, 10], [14, 12]]).p_value == pytest.approx(
        0.465840082916, rel=1e-9)


def test_chi_square_with_a_single_non_empty_row_has_no_p_value():
    result = chi_square([[12, 5], [0, 0]])
    assert result.p_value is None and result.statistic is None


def test_categorical_test_uses_fisher_for_a_2x2_table():
    # [R] fisher 35/37 vs 24/36: 0.00285955605462 (the same 2×2 table as [[35, 2], [24, 12]])
    result = categorical_test([[35, 2], [24, 12]])
    assert result.method == "fisher"
    assert result.p_value == pytest.approx(0.00285955605462, rel=1e-9)


def test_categorical_test_uses_chi_square_for_a_larger_table():
    # [R] chisq 3x2: p = 0.465840082916
    result = categorical_test([[12, 5], [20, 10], [14, 12]])
    assert result.method == "chi-square"
    assert result.p_value == pytest.approx(0.465840082916, rel=1e-9)


@pytest.mark.parametrize("table", [[], [[1, 2], [3]], [[1, -2], [3, 4]], [[1.5, 2], [3, 4]]])
def test_malformed_contingency_tables_raise_protocol_error(table):
    with pytest.raises(ProtocolError, match="contingency table"):
        chi_square(table)
