"""What the virtual sites record, read from khetrial's calendar (virtual/calendar.py)."""

from __future__ import annotations

from datetime import date, timedelta

from khetrial.virtual.calendar import (COUNT, MRI, PEDSQL, SEQUELAE, TROUGH, next_count_date,
                                       plan_for)

DAY0 = date(2021, 1, 4)


def _day(d: int) -> date:
    return DAY0 + timedelta(d)


def _counts_followed(plan, days: int, count: int) -> list[int]:
    """Study days on which a site that does every count due records one of ``count``."""
    entered, done = [], []
    for d in range(days + 1):
        if COUNT in plan.due_on(_day(d), next_count_date(DAY0, entered)):
            entered.append((_day(d), count))
            done.append(d)
    return done


def test_counts_every_second_day_until_stabilization_then_at_the_visits():
    plan = plan_for(DAY0)
    # Pub.: "blood counts every 2 days until the stabilization of platelet counts"; the visits
    # of weeks 1 and 2 (days 7, 14) take a count and the series goes on 2 days after it (hand:
    # 0, 2, 4, 6, 7, 9, 11, 13, 14, 16, ...), and day 21, the last day a run may start for week 3
    # (SAP "first day ≤ 7k"; project choice). SAP: a durable run (≥ 100 for ≥ 28 days): ≥ 100
    # from day 0 is stable on day 28, then counts at the visits only (week 8, day 56)
    early = [0, 2, 4, 6, 7, 9, 11, 13, 14, 16, 18, 20, 21, 23, 25, 27, 28]
    assert _counts_followed(plan, 60, 150) == early + [56]
    # below 100 the series goes on past day 28
    assert _counts_followed(plan, 40, 50) == early + list(range(30, 41, 2))


def test_a_missed_count_is_due_until_done():
    plan = plan_for(DAY0)
    due = next_count_date(DAY0, [(DAY0, 40)])
    assert due == _day(2)  # Pub.: "every 2 days"
    assert COUNT in plan.due_on(_day(2), due) and COUNT in plan.due_on(_day(3), due)
    assert COUNT not in plan.due_on(_day(1), due)


def test_counts_at_the_visits():
    plan = plan_for(DAY0)
    # Pub.: visits at weeks 8, 12, ... 84 and 2 years (day 730)
    stable = next_count_date(DAY0, [(_day(d), 150) for d in range(0, 29, 2)])
    assert stable is None  # SAP: ≥ 100 on days 0…28 is a durable run (28 days)
    assert all(COUNT in plan.due_on(_day(7 * w), stable) for w in (8, 12, 24, 84))
    assert COUNT not in plan.due_on(_day(57), stable)


def test_troughs_mri_pedsql_and_sequelae_on_their_dates():
    plan = plan_for(DAY0)
    # Pub.: troughs "weekly for 2 weeks, then every other week for 2 weeks": days 7, 14, 28
    assert [d for d in range(0, 30) if TROUGH in plan.due_on(_day(d), None)] == [7, 14, 28]
    # SAP: baseline MRI on days −30…0 (the site does it on day 0); Pub.: MRI "at months 6 and
    # 12 and every 12 months": calendar months from 2021-01-04
    assert MRI in plan.due_on(DAY0, None)
    for when in (date(2021, 7, 4), date(2022, 1, 4), date(2023, 1, 4)):
        assert MRI in plan.due_on(when, None)
    # Pub.: PedsQL "at baseline and at 12 months"
    assert PEDSQL in plan.due_on(DAY0, None) and PEDSQL in plan.due_on(date(2022, 1, 4), None)
    # SAP: sequelae at month 24, the year-2 visit's target day 730 (2023-01-04, also the
    # month-24 MRI; hand: troughs fall on days 88 + 91k, 725 then 816, not on 730)
    assert plan.due_on(_day(730), None) == (COUNT, MRI, SEQUELAE)
    assert plan.last_date == _day(730)


def test_counts_go_on_while_fibrinogen_is_low_until_day_56():
    # project choice (protocol.schedule.next_blood_count_due): platelets stable on day 28 but
    # fibrinogen ≤ 1.6 g/L: the 2-day series goes on to day 56
    platelets = [(_day(d), 150) for d in range(0, 29, 2)]
    assert next_count_date(DAY0, platelets) is None
    assert next_count_date(DAY0, platelets, [(_day(d), 1.2) for d in range(0, 29, 2)]) == _day(30)
