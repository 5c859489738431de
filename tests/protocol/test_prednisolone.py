"""Prednisolone taper (Pub.: "An attempt at tapering and discontinuing prednisolone was required
within 4 to 6 weeks when satisfactory responses ensued (eg, platelet count ≥100 × 10⁹/L for at
least 1 week)")."""

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from khetrial.errors import ProtocolError
from khetrial.protocol.prednisolone import taper_plan, taper_start_date

D0 = date(2026, 3, 2)


def counts(*pairs):
    return [(D0 + timedelta(day), value) for day, value in pairs]


def test_taper_starts_once_platelets_have_been_100_or_more_for_a_week():
    # counts every 2 days, ≥ 100 from day 10 on (days 10, 12, 14, 16, 18): day 16 − 10 = 6 < 7,
    # day 18 − 10 = 8 ≥ 7 → the taper may start on day 18
    history = counts((8, 60), (10, 100), (12, 130), (14, 150), (16, 160), (18, 170))
    assert taper_start_date(history) == D0 + timedelta(18)


def test_exactly_seven_days_is_a_week():
    # days 10 and 17, both exactly 100 (≥100): 17 − 10 = 7 → trigger on day 17
    assert taper_start_date(counts((10, 100), (17, 100))) == D0 + timedelta(17)


def test_a_count_below_100_restarts_the_week():
    # 99.9 on day 14 breaks the run; the next run starts on day 16: 22 − 16 = 6 < 7, 24 − 16 = 8 ≥ 7
    history = counts((10, 120), (12, 120), (14, 99.9), (16, 120), (18, 120), (20, 120), (22, 120), (24, 120))
    assert taper_start_date(history) == D0 + timedelta(24)


def test_no_week_yet_means_no_taper():
    assert taper_start_date(counts((10, 120), (12, 120), (14, 120))) is None
    assert taper_start_date([]) is None


def test_last_count_of_a_date_wins_and_order_does_not_matter():
    history = counts((17, 120), (10, 120), (10, 50))  # day 10: 120 then 50 → 50 (last given) → no run from day 10
    assert taper_start_date(history) is None


def test_four_week_taper_plan_for_5_2_kg():
    # full dose 2 mg/kg × 5.2 kg = 10.4 mg/day; weeks at 4/5, 3/5, 2/5, 1/5:
    # 8.32 → 8.3, 6.24 → 6.2, 4.16 → 4.2, 2.08 → 2.1 mg/day; stop after 28 days
    plan = taper_plan(5.2, D0)
    assert plan.full_daily_dose_mg == Decimal("10.4")
    assert [s.daily_dose_mg for s in plan.steps] == [Decimal("8.3"), Decimal("6.2"), Decimal("4.2"), Decimal("2.1")]
    assert [s.fraction for s in plan.steps] == [Fraction(4, 5), Fraction(3, 5), Fraction(2, 5), Fraction(1, 5)]
    assert plan.steps[0].start == D0 and plan.steps[0].end == D0 + timedelta(6)
    assert plan.stop == D0 + timedelta(28)


@pytest.mark.parametrize("weeks", [4, 5, 6])
def test_taper_ends_within_4_to_6_weeks(weeks):
    plan = taper_plan(10, D0, weeks)
    assert len(plan.steps) == weeks and plan.stop == D0 + timedelta(7 * weeks)
    doses = [s.daily_dose_mg for s in plan.steps]
    assert doses == sorted(doses, reverse=True) and doses[-1] > 0


def test_step_on_a_day():
    plan = taper_plan(5.2, D0)
    assert plan.step_on(D0 + timedelta(7)).week == 2
    assert plan.step_on(D0 + timedelta(28)) is None and plan.step_on(D0 - timedelta(1)) is None


@pytest.mark.parametrize("weeks", [3, 7, 4.5, True])
def test_taper_length_outside_4_to_6_weeks_is_refused(weeks):
    with pytest.raises(ProtocolError, match="4 to 6 weeks"):
        taper_plan(5.2, D0, weeks)


def test_invalid_platelet_history_is_refused():
    with pytest.raises(ProtocolError, match="platelets"):
        taper_start_date(counts((10, -5)))


def test_taper_of_a_heavy_child_steps_down_from_the_capped_dose():
    # 2 mg/kg × 60 kg = 120 mg capped at 60 mg/day (project choice): 4/5, 3/5, 2/5, 1/5 of 60
    plan = taper_plan(60, D0)
    assert plan.full_daily_dose_mg == Decimal("60.0")
    assert [s.daily_dose_mg for s in plan.steps] == [Decimal("48.0"), Decimal("36.0"), Decimal("24.0"),
                                                     Decimal("12.0")]


def test_taper_steps_are_labelled_a_project_choice():
    plan = taper_plan(5.2, D0)
    assert plan.to_dict()["source"] == "project choice" and plan.to_dict()["trigger_source"] == "publication"
    # 80/60/40/20 % of 2 × 5.2 = 10.4 mg: 8.32 → 8.3, 6.24 → 6.2, 4.16 → 4.2, 2.08 → 2.1
    assert plan.describe().startswith("weekly taper 80/60/40/20 % of the full dose (project choice")
    assert "week 1 8.3 mg/day" in plan.describe()
