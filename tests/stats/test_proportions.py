"""khetrial.stats.proportions: Wilson, Newcombe, Wald, Agresti-Caffo, Miettinen-Nurminen.

Sources of the expected numbers:
- [Pub.] the trial publication, shared/trial/publication.txt (arm SP first, S second).
- [SAP] shared/spec/analysis-plan.md, "Machine-readable results".
- [Newcombe] Newcombe RG, Stat Med 1998;17:873-890, Table II, example (a) 56/70 - 48/80:
  method 1 (Wald) 0.0575, 0.3425; method 10 (score, no CC) 0.0524, 0.3339.
- [R] R 4.2.2, `Rscript tests/stats/fixtures/reference_tests.R` (base R: prop.test and the
  Newcombe method-10 formula from two prop.test Wilson intervals); its printed lines are quoted.
- [PropCIs] R 4.2.2 running the source of CRAN PropCIs 0.3-0's diffscoreci() (Miettinen-
  Nurminen score interval, with the N/(N-1) factor) and wald2ci(adjust = "AC" / "Wald")
  (Agresti & Caffo 2000); its printed lines are quoted. PropCIs stops its bisection at 1e-7,
  hence the 1e-6 tolerance.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from khetrial.errors import ProtocolError
from khetrial.stats import METHODS, diff_proportions, wilson_interval
from khetrial.stats.proportions import mn_score, normal_quantile, restricted_mle
from khetrial.stats.rounding import percent

# --- Wilson -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("events", "n", "lower", "upper"),
    [
        # [R] wilson 35/37: 0.8229534565 0.9850490232
        (35, 37, 0.8229534565, 0.9850490232),
        # [R] wilson 24/36: 0.5033399787 0.7978538118
        (24, 36, 0.5033399787, 0.7978538118),
        # [R] wilson 0/10: 0.0000000000 0.2775327999
        (0, 10, 0.0, 0.2775327999),
        # [R] wilson 10/10: 0.7224672001 1.0000000000
        (10, 10, 0.7224672001, 1.0),
        # [R] wilson 56/70: 0.6918335550 0.8769526075
        (56, 70, 0.6918335550, 0.8769526075),
    ],
)
def test_wilson_interval_matches_r_prop_test(events, n, lower, upper):
    interval = wilson_interval(events, n)
    assert interval.estimate == events / n
    assert interval.lower == pytest.approx(lower, abs=1e-9)
    assert interval.upper == pytest.approx(upper, abs=1e-9)


def test_wilson_interval_of_zero_and_all_events_ends_exactly_at_0_and_1():
    # Wilson's interval for 0/n has lower limit 0 and for n/n upper limit 1 exactly
    # (centre - half-width = 0 algebraically when p = 0).
    assert wilson_interval(0, 7).lower == 0.0
    assert wilson_interval(7, 7).upper == 1.0


def test_wilson_interval_to_dict_has_results_json_keys():
    d = wilson_interval(35, 37).to_dict()
    assert d["events"] == 35 and d["n"] == 37 and len(d["ci95"]) == 2 and d["level"] == 0.95


def test_normal_quantile_at_95_percent_is_lme4s_1_959964():
    # R: qnorm(0.975) prints 1.959963985
    assert normal_quantile(0.95) == pytest.approx(1.959963985, abs=1e-9)


# --- The publication's intervals ---------------------------------------------------------------

PUBLISHED = [
    # (endpoint, SP events, SP N, S events, S N, difference %, lower %, upper %), SP - S.
    # Pub.: "35 of 37 patients given sirolimus and prednisolone compared with 24 of 36 patients
    # given sirolimus monotherapy (difference 27.9%; 95% confidence interval, 10.0-44.7)"
    ("primary", 35, 37, 24, 36, "27.9", "10.0", "44.7"),
    # Pub.: "in 27 (73.0%) and 16 (44.4%) patients ... (difference, 28.5%; 95% CI, 6.0-47.4)"
    ("fibrinogen", 27, 37, 16, 36, "28.5", "6.0", "47.4"),
    # Pub.: "overall lesion response rate was 91.9% ... and 80.6% ... (difference, 11.3%;
    # 95% CI, −5.0 to 27.8)"  (34/37 = 91.9 %, 29/36 = 80.6 %)
    ("overall lesion", 34, 37, 29, 36, "11.3", "-5.0", "27.8"),
    # Pub.: "(81.1% vs 58.3%; difference, 22.8%; 95% CI, 1.7-41.4)"  (30/37, 21/36)
    ("good lesion", 30, 37, 21, 36, "22.8", "1.7", "41.4"),
    # Pub.: "33 (89.2%) patients ... and in 28 (77.8%) patients ... (difference, 11.4%; 95% CI,
    # −6.0 to 28.6)"
    ("QOL", 33, 37, 28, 36, "11.4", "-6.0", "28.6"),
    # Pub.: "(5.4% vs 16.7%) ... (difference, 11.3%; 95% CI, −3.9 to 27.0)" — printed as S − SP;
    # SP − S (the SAP's direction) is −11.3 %, (−27.0, 3.9).  (2/37, 6/36)
    ("KMP rebound", 2, 37, 6, 36, "-11.3", "-27.0", "3.9"),
    # Pub.: "(33.3% vs 10.8%; difference, 22.5%; 95% CI, 3.4-40.1)" — S − SP; ours −22.5,
    # (−40.1, −3.4).  (4/37 = 10.8 %, 12/36 = 33.3 %)
    ("sequelae", 4, 37, 12, 36, "-22.5", "-40.1", "-3.4"),
    # Pub.: "lack of efficacy (2.7% ... vs 13.9% ...; difference, 11.2%; 95% [CI], −2.4 to
    # 26.1)" — S − SP; ours −11.2, (−26.1, 2.4).  (1/37, 5/36)
    ("lack of efficacy", 1, 37, 5, 36, "-11.2", "-26.1", "2.4"),
]


@pytest.mark.parametrize(("endpoint", "x1", "n1", "x2", "n2", "difference", "lower", "upper"),
                         PUBLISHED, ids=[row[0] for row in PUBLISHED])
def test_newcombe_reproduces_every_interval_of_the_publication(endpoint, x1, n1, x2, n2,
                                                               difference, lower, upper):
    # Printed numbers compared after the publication's rounding (khetrial.stats.rounding:
    # fraction to 4 decimals, then percent to 1 decimal, half up).
    result = diff_proportions(x1, n1, x2, n2)
    assert (str(percent(result.difference)), str(percent(result.lower)),
            str(percent(result.upper))) == (difference, lower, upper)


def test_primary_outcome_matches_the_results_json_example_of_the_plan():
    # [SAP] "difference": 0.2793, "ci95": [0.0995, 0.4472], "p_value": 0.0029
    # [R] newcombe 35/37 - 24/36: 0.0994537541 0.4472217029
    result = diff_proportions(35, 37, 24, 36)
    d = result.to_dict()
    assert round(d["difference"], 4) == 0.2793
    assert [round(v, 4) for v in d["ci95"]] == [0.0995, 0.4472]
    assert round(d["p_value"], 4) == 0.0029
    assert d["ci95"] == pytest.approx([0.0994537541, 0.4472217029], abs=1e-9)
    assert d["first"] == {"events": 35, "n": 37} and d["second"] == {"events": 24, "n": 36}
    assert d["method"] == "newcombe"


# --- Newcombe method 10 and Wald against Newcombe (1998) and R ---------------------------------


def test_newcombe_and_wald_reproduce_newcombe_1998_table_ii_example_a():
    # [Newcombe] Table II (a) 56/70 − 48/80: method 10: 0.0524, 0.3339; method 1: 0.0575, 0.3425
    hybrid = diff_proportions(56, 70, 48, 80, method="newcombe")
    wald = diff_proportions(56, 70, 48, 80, method="wald")
    assert (round(hybrid.lower, 4), round(hybrid.upper, 4)) == (0.0524, 0.3339)
    assert (round(wald.lower, 4), round(wald.upper, 4)) == (0.0575, 0.3425)


@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2", "lower", "upper"),
    [
        (56, 70, 48, 80, 0.0524314724, 0.3338726540),  # [R] newcombe 56/70 - 48/80
        (9, 10, 3, 10, 0.1705227239, 0.8090179735),  # [R] newcombe 9/10 - 3/10
        (6, 7, 2, 7, 0.0582279275, 0.8062496375),  # [R] newcombe 6/7 - 2/7
        (5, 56, 0, 29, -0.0381371479, 0.1925600139),  # [R] newcombe 5/56 - 0/29
        (0, 10, 0, 20, -0.1611251581, 0.2775327999),  # [R] newcombe 0/10 - 0/20
        (0, 10, 0, 10, -0.2775327999, 0.2775327999),  # [R] newcombe 0/10 - 0/10
        (10, 10, 0, 20, 0.6790860371, 1.0),  # [R] newcombe 10/10 - 0/20
        (10, 10, 0, 10, 0.6075093504, 1.0),  # [R] newcombe 10/10 - 0/10
    ],
)
def test_newcombe_matches_r_on_newcombes_eight_examples(x1, n1, x2, n2, lower, upper):
    result = diff_proportions(x1, n1, x2, n2, method="newcombe")
    assert (result.lower, result.upper) == pytest.approx((lower, upper), abs=1e-9)


@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2", "lower", "upper"),
    [
        # [PropCIs] wald2ci(56, 70, 48, 80, 0.95, adjust = "Wald"): 0.0575049 0.3424951
        (56, 70, 48, 80, 0.0575049, 0.3424951),
        # [PropCIs] wald2ci(35, 37, 24, 36, 0.95, adjust = "Wald"): 0.1089225 0.4496360
        (35, 37, 24, 36, 0.1089225, 0.4496360),
        # [PropCIs] wald2ci(9, 10, 3, 10, 0.95, adjust = "Wald"): 0.2605243 0.9394757
        (9, 10, 3, 10, 0.2605243, 0.9394757),
        # [PropCIs] wald2ci(0, 10, 0, 10, 0.95, adjust = "Wald"): 0.0000000 0.0000000
        (0, 10, 0, 10, 0.0, 0.0),
    ],
)
def test_wald_matches_propcis(x1, n1, x2, n2, lower, upper):
    result = diff_proportions(x1, n1, x2, n2, method="wald")
    assert (result.lower, result.upper) == pytest.approx((lower, upper), abs=1e-7)


# --- Agresti-Caffo ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2", "lower", "upper"),
    [
        # [PropCIs] wald2ci(56, 70, 48, 80, 0.95, adjust = "AC"): 0.0524529 0.3357585
        (56, 70, 48, 80, 0.0524529, 0.3357585),
        # [PropCIs] wald2ci(35, 37, 24, 36, 0.95, adjust = "AC"): 0.0927105 0.4376539
        (35, 37, 24, 36, 0.0927105, 0.4376539),
        # [PropCIs] wald2ci(9, 10, 3, 10, 0.95, adjust = "AC"): 0.1600008 0.8399992
        (9, 10, 3, 10, 0.1600008, 0.8399992),
        # [PropCIs] wald2ci(0, 10, 0, 10, 0.95, adjust = "AC"): -0.2211503 0.2211503
        (0, 10, 0, 10, -0.2211503, 0.2211503),
    ],
)
def test_agresti_caffo_matches_propcis(x1, n1, x2, n2, lower, upper):
    result = diff_proportions(x1, n1, x2, n2, method="agresti-caffo")
    assert (result.lower, result.upper) == pytest.approx((lower, upper), abs=1e-7)


def test_agresti_caffo_upper_limit_is_truncated_at_1():
    # [PropCIs] wald2ci(10, 10, 0, 20, 0.95, adjust = "AC"): 0.6922432 1.0501810 — PropCIs does
    # not truncate; a difference of proportions cannot exceed 1, so ours stops at 1.
    result = diff_proportions(10, 10, 0, 20, method="agresti-caffo")
    assert result.lower == pytest.approx(0.6922432, abs=1e-7)
    assert result.upper == 1.0


# --- Miettinen-Nurminen -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("x1", "n1", "x2", "n2", "lower", "upper"),
    [
        # [PropCIs] diffscoreci(7, 34, 1, 34, 0.95): 0.0270416 0.3452912
        (7, 34, 1, 34, 0.0270416, 0.3452912),
        # [PropCIs] diffscoreci(30, 37, 21, 36, 0.95): 0.0157901 0.4238718
        # (statsmodels 0.15.0 confint_proportions_2indep(30, 37, 21, 36, method="score") raises
        # "ValueError: f(a) and f(b) must have different signs" here, and gives (0.02732,
        # 0.34343) for 7/34 vs 1/34 — hence our own root search)
        (30, 37, 21, 36, 0.0157901, 0.4238718),
        # [PropCIs] diffscoreci(56, 70, 48, 80, 0.95): 0.0528297 0.3381730
        (56, 70, 48, 80, 0.0528297, 0.3381730),
        # [PropCIs] diffscoreci(9, 10, 3, 10, 0.95): 0.1700251 0.8406495
        (9, 10, 3, 10, 0.1700251, 0.8406495),
        # [PropCIs] diffscoreci(6, 7, 2, 7, 0.95): 0.0341755 0.8534053
        (6, 7, 2, 7, 0.0341755, 0.8534053),
        # [PropCIs] diffscoreci(5, 56, 0, 29, 0.95): -0.0325966 0.1933310
        (5, 56, 0, 29, -0.0325966, 0.1933310),
        # [PropCIs] diffscoreci(0, 10, 0, 20, 0.95): -0.1657602 0.2843814
        (0, 10, 0, 20, -0.1657602, 0.2843814),
        # [PropCIs] diffscoreci(0, 10, 0, 10, 0.95): -0.2879339 0.2879339
        (0, 10, 0, 10, -0.2879339, 0.2879339),
        # [PropCIs] diffscoreci(10, 10, 0, 20, 0.95): 0.7156186 1.0000000
        (10, 10, 0, 20, 0.7156186, 1.0),
        # [PropCIs] diffscoreci(10, 10, 0, 10, 0.95): 0.6636416 1.0000000
        (10, 10, 0, 10, 0.6636416, 1.0),
        # [PropCIs] diffscoreci(35, 37, 24, 36, 0.95): 0.1069045 0.4539379
        (35, 37, 24, 36, 0.1069045, 0.4539379),
    ],
)
def test_miettinen_nurminen_matches_propcis_diffscoreci(x1, n1, x2, n2, lower, upper):
    result = diff_proportions(x1, n1, x2, n2, method="miettinen-nurminen")
    assert (result.lower, result.upper) == pytest.approx((lower, upper), abs=1e-6)


def test_miettinen_nurminen_score_equals_the_chi_square_quantile_at_each_limit():
    # By definition the limits solve score(δ) = χ²₁(0.95) = 3.841459 (R: qchisq(0.95, 1)).
    result = diff_proportions(30, 37, 21, 36, method="miettinen-nurminen")
    for limit in (result.lower, result.upper):
        assert mn_score(30, 37, 21, 36, limit) == pytest.approx(3.841458821, rel=1e-6)


@settings(max_examples=60, deadline=None)
@given(n1=st.integers(1, 60), n2=st.integers(1, 60), data=st.data())
def test_restricted_mle_maximises_the_likelihood_under_the_constraint(n1, n2, data):
    # Hand check of the closed form: no point of a fine grid on the constraint line
    # p1 - p2 = δ has a higher binomial log-likelihood than the closed-form root.
    x1 = data.draw(st.integers(0, n1))
    x2 = data.draw(st.integers(0, n2))
    delta = data.draw(st.floats(-0.98, 0.98))
    p1, p2 = restricted_mle(x1, n1, x2, n2, delta)
    assert p1 - p2 == pytest.approx(delta, abs=1e-12)

    def loglik(a: float, b: float) -> float:
        def term(k, p):
            return 0.0 if k == 0 else k * math.log(p) if p > 0 else -math.inf
        return term(x1, a) + term(n1 - x1, 1 - a) + term(x2, b) + term(n2 - x2, 1 - b)

    best = loglik(p1, p2)
    low, high = max(0.0, delta), min(1.0, 1.0 + delta)
    for i in range(201):
        q1 = low + (high - low) * i / 200
        assert loglik(q1, q1 - delta) <= best + 1e-7 * max(1.0, abs(best))


# --- Invariants and edge cases ---------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(n1=st.integers(1, 80), n2=st.integers(1, 80), method=st.sampled_from(METHODS),
       data=st.data())
def test_every_interval_lies_in_minus_1_to_1_and_swapping_groups_mirrors_it(n1, n2, method, data):
    x1 = data.draw(st.integers(0, n1))
    x2 = data.draw(st.integers(0, n2))
    result = diff_proportions(x1, n1, x2, n2, method=method)
    mirror = diff_proportions(x2, n2, x1, n1, method=method)
    assert -1.0 <= result.lower <= result.upper <= 1.0
    assert (mirror.lower, mirror.upper) == pytest.approx((-result.upper, -result.lower), abs=1e-9)
    if method != "agresti-caffo":  # the AC interval is centred on the adjusted difference
        assert result.lower - 1e-9 <= result.difference <= result.upper + 1e-9


def test_a_wider_level_gives_a_wider_newcombe_interval():
    narrow = diff_proportions(35, 37, 24, 36, level=0.90)
    wide = diff_proportions(35, 37, 24, 36, level=0.99)
    assert wide.lower < narrow.lower and narrow.upper < wide.upper


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((38, 37, 24, 36), {}, "between 0 and n = 37"),
        ((-1, 37, 24, 36), {}, "between 0 and n"),
        ((0, 0, 24, 36), {}, "at least 1"),
        ((3.5, 37, 24, 36), {}, "whole number"),
        ((True, 37, 24, 36), {}, "whole number"),
        ((35, 37, 24, 36), {"method": "exact"}, "unknown interval method"),
        ((35, 37, 24, 36), {"level": 1.0}, "strictly between 0 and 1"),
        ((35, 37, 24, 36), {"level": 95}, "strictly between 0 and 1"),
    ],
)
def test_bad_input_raises_protocol_error_saying_what_is_expected(args, kwargs, message):
    with pytest.raises(ProtocolError, match=message):
        diff_proportions(*args, **kwargs)


def test_numpy_integer_counts_are_accepted():
    import numpy as np

    result = diff_proportions(np.int64(35), np.int64(37), np.int32(24), 36)
    assert result.events1 == 35 and isinstance(result.events1, int)
