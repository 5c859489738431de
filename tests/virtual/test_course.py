"""The true-course simulator: hand-checked values of each rule (virtual/course.py)."""

from __future__ import annotations

import numpy as np
import pytest

from khetrial.bundle.format import LAB_RANGES
from khetrial.errors import ProtocolError
from khetrial.virtual import parameters as V
from khetrial.virtual.course import (Child, TrueCourse, body_size, draw_child, draw_course,
                                     growth_on, lesion_volume_ml, platelet_course, response_day,
                                     trough_ng_ml)


def _rng(seed: int = 0) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(seed))


def _course(**changes) -> TrueCourse:
    days = V.LAST_DAY - V.FIRST_DAY + 1
    values = dict(arm="SP", platelets=np.full(days, 20), fibrinogen=np.full(days, 1.0),
                  response_day=None, recovery_day=200, fibrinogen_day=200, rebound=None,
                  exposure=40.0, lesion_baseline_ml=100.0, lesion_change_m12=-0.5)
    return TrueCourse(**{**values, **changes})


@pytest.mark.parametrize("months, expected", [
    (0, (3.4, 50.0)),  # hand: the curve's birth values
    (6, (3.4 + 0.65 * 6, 50 + 2.7 * 6)),  # hand: 7.3 kg, 66.2 cm
    (12, (7.3 + 0.25 * 6, 66.2 + 1.1 * 6)),  # hand: 8.8 kg, 72.8 cm
])
def test_body_size_follows_the_stated_growth_curve(months, expected):
    assert body_size(months) == pytest.approx(expected)


def test_a_child_keeps_its_centile_as_it_grows():
    # randomized at 6 months (182.625 days) with 8.03 kg and 69.51 cm: 1.1 × and 1.05 × the
    # curve's 7.3 kg and 66.2 cm; 365.25 days later (18 months) the curve gives 7.3 + 0.25 × 12
    # = 10.3 kg and 66.2 + 1.1 × 12 = 79.4 cm → 11.33 → 11.3 kg and 83.37 → 83.4 cm
    child = Child(0, "F", 182.625, 8.03, 69.51, "deep", "trunk", 10, True, True, 0.5, 20, 1.0, 5.0)
    assert growth_on(child, 0) == (8.0, 69.5)
    assert growth_on(child, 365.25) == (11.3, 83.4)


@pytest.mark.parametrize("arm, latent, days", [
    # Pub.: 9 of 37 (SP) and 4 of 36 (S) respond in week 1: 9/37 = 0.243, 4/36 = 0.111
    ("SP", 0.24, range(1, 8)), ("SP", 0.25, range(8, 15)),
    ("S", 0.11, range(1, 8)), ("S", 0.12, range(8, 15)),
    # Pub.: 35 of 37 and 24 of 36 by week 4 (0.946, 0.667); + late responders 1 and 7
    ("SP", 0.94, range(22, 29)), ("S", 0.66, range(22, 29)),
    ("SP", 0.96, range(V.LATE_RESPONSE_DAYS[0], V.LATE_RESPONSE_DAYS[1] + 1)),
    ("S", 0.85, range(V.LATE_RESPONSE_DAYS[0], V.LATE_RESPONSE_DAYS[1] + 1)),
])
def test_response_day_falls_in_the_week_of_the_publications_counts(arm, latent, days):
    for seed in range(20):
        assert response_day(arm, latent, _rng(seed)) in days


@pytest.mark.parametrize("arm, latent", [("SP", 0.98), ("S", 0.87)])
def test_children_beyond_the_ever_responders_never_respond(arm, latent):
    # Pub.: 36 of 37 (0.973) and 31 of 36 (0.861) respond at some time
    assert response_day(arm, latent, _rng()) is None


def test_week4_response_rate_per_arm_is_the_publications():
    rng = _rng(3)
    for arm, published in (("SP", 35 / 37), ("S", 24 / 36)):  # Pub. primary outcome counts
        days = [response_day(arm, rng.random(), rng) for _ in range(4000)]
        rate = np.mean([d is not None and d <= 28 for d in days])
        assert rate == pytest.approx(published, abs=0.02)


def test_platelets_cross_100_exactly_on_the_first_high_day_and_dip_in_a_rebound():
    counts = platelet_course(15, first_high=10, rebound=(120, 124), rng=_rng(1))
    day = lambda d: counts[d - V.FIRST_DAY]  # noqa: E731
    assert all(day(d) <= V.BELOW_RESPONSE_MAX for d in range(V.FIRST_DAY, 10))
    assert all(day(d) >= V.ABOVE_RESPONSE_MIN for d in range(10, 120))
    assert all(day(d) < 100 for d in range(120, 125))
    assert all(day(d) >= V.ABOVE_RESPONSE_MIN for d in range(125, V.LAST_DAY + 1))
    assert len(counts) == V.LAST_DAY - V.FIRST_DAY + 1  # days −14…790


@pytest.mark.parametrize("day, expected", [
    (-10, 100.0), (0, 100.0),
    (73, 90.0),  # hand: 100 × (1 − 0.5 × 73/365)
    (365, 50.0), (730, 50.0),  # month-12 change reached, then constant
])
def test_lesion_volume_changes_linearly_to_month_12(day, expected):
    assert lesion_volume_ml(_course(), day) == expected


def test_trough_is_exposure_times_dose_falling_with_maturation():
    course = _course(exposure=40.0)
    at0 = trough_ng_ml(course, 0.25, 0, _rng(5))
    at365 = trough_ng_ml(course, 0.25, 365, _rng(5))  # same assay noise
    # hand: 40 ng/mL per mg × 0.25 mg = 10 ng/mL before noise (assay SD 10 % on the log scale)
    assert 7 < at0 < 14
    # hand: exposure / (1 + 0.5 × 365/365) = exposure / 1.5
    assert at365 == pytest.approx(at0 / 1.5, abs=0.1)
    assert trough_ng_ml(course, 0.0, 30, _rng()) == 0.0


def test_same_seed_same_child_and_course():
    a, b = draw_child(0, _rng(9)), draw_child(0, _rng(9))
    assert a == b
    ca, cb = draw_course(a, "S", 0.2, _rng(10)), draw_course(b, "S", 0.2, _rng(10))
    assert np.array_equal(ca.platelets, cb.platelets) and ca.qol == cb.qol
    assert a.platelets < 100  # Pub.: KMP "platelet count <100 × 10⁹/L"
    assert V.AGE_RANGE_MONTHS[0] * 30 <= a.age_days <= V.AGE_RANGE_MONTHS[1] * 31


def test_a_held_trough_halves_every_half_life():
    course = _course(exposure=40.0)
    before = trough_ng_ml(course, 1.0, 10, _rng(6))
    after = trough_ng_ml(course, 1.0, 10, _rng(6), held_days=5)  # same assay noise
    # hand: 5 days = 2 half-lives of 2.5 days: a quarter
    assert after == pytest.approx(before / 4, abs=0.1)
    with pytest.raises(ProtocolError, match="held -1 days"):
        trough_ng_ml(course, 1.0, 10, _rng(), held_days=-1)


def test_screening_values_stay_in_the_forms_ranges():
    # a child drawn with a D-dimer above the form's 0-100 µg/mL was refused by the screening
    # API in a 200-patient run: every drawn value must be one the form accepts
    rng = _rng(11)
    for index in range(20000):  # P(lognormal D-dimer > 100) ≈ 0.02 %: several draws above
        child = draw_child(index, rng)
        for test in ("platelets", "fibrinogen", "d_dimer"):
            value = getattr(child, test)
            assert LAB_RANGES[test].low <= value <= LAB_RANGES[test].high, (test, value)
