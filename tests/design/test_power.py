"""Analytic, continuity-corrected and exact power and sample size, against R.

Expected numbers are R's printed output recorded in fixtures/power_reference.Rout by
fixtures/power_reference.R (looked up by the key R printed before each value).
"""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from khetrial.design.power import (
    compute_cc_sample_size,
    compute_cc_uncorrected_size,
    compute_detectable_proportion,
    compute_power_fisher,
    compute_power_normal,
    compute_power_normal_cc,
    compute_sample_size_fisher,
    compute_sample_size_normal,
    compute_sample_size_normal_cc,
    derive_power,
    derive_sample_size,
)
from khetrial.errors import ProtocolError

from .reference import r_reference

R = r_reference


def test_publication_design_has_23_percent_power_not_80():
    # R: power.prop.test(n = 32, p1 = 0.55, p2 = 0.70) -> power = 0.232873782782267
    assert compute_power_normal(0.55, 0.70, 32) == pytest.approx(R()["A.power"], rel=1e-12)


def test_sample_size_for_80_percent_power_is_162_3_per_arm():
    # R: power.prop.test(p1 = 0.55, p2 = 0.70, power = 0.80) -> n = 162.334383006656 (uniroot,
    # tol = eps^0.25); with tol = 1e-12 -> 162.334382063708 (G.n uncorrected)
    n = compute_sample_size_normal(0.55, 0.70, 0.80)
    assert n == pytest.approx(R()["G.n uncorrected (tol 1e-12)"], rel=1e-12)
    assert n == pytest.approx(R()["B.n"], abs=1e-4)


@pytest.mark.parametrize("n", [10, 20, 36, 37, 50, 100, 162, 200])
def test_power_over_a_grid_equals_power_prop_test(n):
    # R: power.prop.test(n = n, p1 = 0.55, p2 = 0.70)$power
    assert compute_power_normal(0.55, 0.70, n) == pytest.approx(R()[f"C.n {n} power"], rel=1e-12)


def test_strict_counts_both_tails_as_power_prop_test_strict_true_and_statsmodels():
    # R: power.prop.test(n = 32, p1 = .55, p2 = .70, strict = TRUE)$power = 0.233474760568217
    assert compute_power_normal(0.55, 0.70, 32, strict=True) == pytest.approx(
        R()["D.power n=32"], rel=1e-12)
    # R: power.prop.test(p1 = .55, p2 = .70, power = .8, strict = TRUE)$n = 162.334072447796
    assert compute_sample_size_normal(0.55, 0.70, 0.8, strict=True) == pytest.approx(
        R()["D.n power=0.8"], abs=1e-4)
    # statsmodels.stats.proportion.power_proportions_2indep(0.15, 0.55, 32).power, same formula
    from statsmodels.stats.proportion import power_proportions_2indep

    assert compute_power_normal(0.55, 0.70, 32, strict=True) == pytest.approx(
        power_proportions_2indep(0.15, 0.55, 32).power, rel=1e-12)


@pytest.mark.parametrize(
    "key, call",
    [
        ("E.power n=50 p1=0.50 p2=0.75 alpha=0.05", lambda: compute_power_normal(0.50, 0.75, 50)),
        ("E.power n=40 p1=0.30 p2=0.10 alpha=0.01",
         lambda: compute_power_normal(0.30, 0.10, 40, alpha=0.01)),
    ],
)
def test_other_designs_equal_power_prop_test(key, call):
    # R: power.prop.test(n = 50, p1 = .5, p2 = .75); power.prop.test(n = 40, p1 = .3, p2 = .1,
    # sig.level = .01) (fixtures/power_reference.Rout, section E)
    assert call() == pytest.approx(R()[key], rel=1e-12)


def test_other_sample_size_equals_power_prop_test():
    # R: power.prop.test(p1 = 0.20, p2 = 0.40, power = 0.90)$n = 108.23554064106 (uniroot)
    assert compute_sample_size_normal(0.20, 0.40, 0.90) == pytest.approx(
        R()["E.n p1=0.20 p2=0.40 power=0.90"], abs=1e-4)


def test_detectable_proportion_equals_power_prop_test_p2():
    # R: power.prop.test(n = 32, p1 = 0.55, power = 0.80)$p2 = 0.863083823532878 (uniroot)
    assert compute_detectable_proportion(0.55, 32, 0.80) == pytest.approx(
        R()["E.p2 n=32 p1=0.55 power=0.80"], abs=1e-5)


def test_unequal_allocation_sample_size_equals_hmisc_bsamsize():
    # R: Hmisc::bsamsize(p1 = .55, p2 = .70, fraction = 1/3, power = .8)
    #    -> n1 = 120.213591647603, n2 = 240.427183295206
    assert compute_sample_size_normal(0.55, 0.70, 0.8, ratio=2) == pytest.approx(
        120.213591647603, rel=1e-12)
    # R: Hmisc::bsamsize(p1 = .55, p2 = .70, fraction = 1/2, power = .8) -> n1 = 162.334382063708
    assert compute_sample_size_normal(0.55, 0.70, 0.8, ratio=1) == pytest.approx(
        162.334382063708, rel=1e-12)


@pytest.mark.parametrize("key, n_c, n_e", [("F.bpower n1=32 n2=64 (strict: both tails)", 32, 64),
                                            ("F.bpower n1=36 n2=37 (strict: both tails)", 36, 37)])
def test_unequal_allocation_power_equals_hmisc_bpower(key, n_c, n_e):
    # R: Hmisc::bpower(p1 = .55, p2 = .70, n1 = n_c, n2 = n_e) (counts both tails)
    assert compute_power_normal(0.55, 0.70, n_c, n_e, strict=True) == pytest.approx(
        R()[key], rel=1e-12)


def test_continuity_corrected_sample_size_is_fleiss_formula():
    # Fleiss, Levin & Paik (2003) eq. 4.14 evaluated by R on R's uncorrected n:
    # n/4 * (1 + sqrt(1 + 4/(n*0.15)))^2 = 175.414347042664 (G.n_cc r=1)
    assert compute_sample_size_normal_cc(0.55, 0.70, 0.8) == pytest.approx(
        R()["G.n_cc r=1"], rel=1e-12)
    # eq. 4.19, r = 2 on Hmisc's n1 = 120.2136: 130.021315481904 (G.n1_cc r=2)
    assert compute_sample_size_normal_cc(0.55, 0.70, 0.8, ratio=2) == pytest.approx(
        R()["G.n1_cc r=2"], rel=1e-12)


def test_continuity_corrected_power_inverts_the_sample_size():
    # Power at Fleiss' corrected size is the target power by construction (eq. 4.14 inverted).
    n_cc = compute_sample_size_normal_cc(0.55, 0.70, 0.8)
    assert compute_power_normal_cc(0.55, 0.70, n_cc) == pytest.approx(0.8, rel=1e-12)
    n_cc2 = compute_sample_size_normal_cc(0.55, 0.70, 0.9, ratio=2)
    assert compute_power_normal_cc(0.55, 0.70, n_cc2, 2 * n_cc2) == pytest.approx(0.9, rel=1e-12)


def test_continuity_corrected_power_is_near_the_exact_power_of_the_corrected_test():
    # R brute force (section I): exact power of prop.test(correct = TRUE) at 32 per arm is
    # 0.168741563285918 and of prop.test(correct = FALSE) 0.246211420961283; the corrected
    # approximation lands near the former, the uncorrected one near the latter.
    assert compute_power_normal_cc(0.55, 0.70, 32) == pytest.approx(
        R()["I.prop.test correct=TRUE"], abs=0.01)
    assert compute_power_normal(0.55, 0.70, 32) == pytest.approx(
        R()["I.prop.test correct=FALSE"], abs=0.015)


@settings(max_examples=50, deadline=None)
@given(n=st.floats(1.0, 5000.0), d=st.floats(0.01, 0.9), r=st.floats(0.25, 4.0))
def test_cc_size_and_its_inverse_round_trip(n, d, r):
    assert compute_cc_uncorrected_size(compute_cc_sample_size(n, d, r), d, r) == pytest.approx(
        n, rel=1e-9)


@settings(max_examples=40, deadline=None)
@given(p_c=st.floats(0.05, 0.9), delta=st.floats(0.05, 0.09), n=st.integers(5, 400))
def test_power_never_decreases_as_the_arms_grow(p_c, delta, n):
    p_e = p_c + delta
    assert compute_power_normal(p_c, p_e, n + 1) >= compute_power_normal(p_c, p_e, n)
    assert compute_power_normal_cc(p_c, p_e, n + 1) >= compute_power_normal_cc(p_c, p_e, n)


def test_exact_fisher_sample_size_equals_r_search():
    # R (section H): smallest n per arm with fisher power >= 0.8 for 0.30 vs 0.70 is 29,
    # power there 0.814277979346105, at 28: 0.790169279105303
    assert compute_sample_size_fisher(0.30, 0.70, 0.8) == R()[
        "H.fisher smallest n per arm with power >= 0.8, p1=0.30 p2=0.70"]
    assert compute_power_fisher(0.30, 0.70, 29) == pytest.approx(R()["H.fisher power at that n"],
                                                                 rel=1e-12)
    assert compute_power_fisher(0.30, 0.70, 28) == pytest.approx(R()["H.fisher power at n-1"],
                                                                 rel=1e-12)


def test_derive_power_gives_all_three_figures_for_the_publication_design():
    # R: A.power = 0.232873782782267; H.fisher n1=32 n2=32 = 0.172807552553924
    result = derive_power(0.55, 0.70, 32)
    assert result.analytic == pytest.approx(R()["A.power"], rel=1e-12)
    assert result.exact_fisher == pytest.approx(R()["H.fisher n1=32 n2=32 p1=0.55 p2=0.70"],
                                                rel=1e-12)
    assert result.analytic_cc < result.analytic
    assert set(result.to_dict()) >= {"analytic", "analytic_cc", "exact_fisher"}


def test_derive_sample_size_rounds_up_per_arm():
    # R: B.n = 162.33 -> 163 per arm; G.n_cc r=1 = 175.41 -> 176; Hmisc bsamsize ratio 2:
    # n1 = 120.21 -> 121 control, n2 = 240.43 -> 241 experimental
    one = derive_sample_size(0.55, 0.70, 0.8)
    assert (one.analytic.control, one.analytic.experimental) == (163, 163)
    assert one.analytic_cc.control == math.ceil(R()["G.n_cc r=1"]) == 176
    two = derive_sample_size(0.55, 0.70, 0.8, ratio=2)
    assert (two.analytic.control, two.analytic.experimental) == (121, 241)
    fisher = two.exact_fisher
    assert compute_power_fisher(0.55, 0.70, fisher.control, fisher.experimental) >= 0.8
    assert compute_power_fisher(0.55, 0.70, fisher.control - 1,
                                math.ceil(2 * (fisher.control - 1))) < 0.8


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: compute_power_normal(1.2, 0.7, 32), "p_control"),
        (lambda: compute_power_normal(0.55, 0.70, -1), "n_control"),
        (lambda: compute_power_normal(0.55, 0.70, 32, alpha=0), "alpha"),
        (lambda: compute_sample_size_normal(0.55, 0.55, 0.8), "difference"),
        (lambda: compute_sample_size_normal(0.55, 0.70, 0.8, ratio=0), "ratio"),
        (lambda: derive_power(0.55, 0.70, 31.5), "whole number"),
    ],
)
def test_bad_inputs_raise_protocol_errors_that_say_what_is_expected(call, match):
    with pytest.raises(ProtocolError, match=match):
        call()
