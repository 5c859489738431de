"""What the virtual sites record, read from khetrial's calendar (virtual/calendar.py)."""

from __future__ import annotations

from datetime import date, timedelta

from khetrial.virtual.calendar import COUNT, MRI, PEDSQL, SEQUELAE, TROUGH, plan_for

DAY0 = date(2021, 1, 4)


def _day(d: int) -> date:
    return DAY0 + timedelta(d)


def test_counts_every_second_day_from_day_0_and_at_the_visits():
    plan = plan_for(DAY0)
    # Pub.: "blood counts every 2 days": days 0, 2, ..., 28 in every version of the calendar
    assert all(COUNT in plan.due_on(_day(d)) for d in range(0, 29, 2))
    assert COUNT not in plan.due_on(_day(1))
    # Pub.: visits at weeks 8, 12, ... 84 and 2 years (day 730)
    assert all(COUNT in plan.due_on(_day(7 * w)) for w in (8, 12, 24, 84))
    assert COUNT in plan.due_on(_day(730))


def test_troughs_mri_pedsql_and_sequelae_on_their_dates():
    plan = plan_for(DAY0)
    # Pub.: troughs "weekly for 2 weeks, then every other week for 2 weeks": days 7, 14, 28
    assert [d for d in range(0, 30) if TROUGH in plan.due_on(_day(d))] == [7, 14, 28]
    # Pub.: MRI "at months 6 and 12 and every 12 months": calendar months from 2021-01-04
    for when in (date(2021, 7, 4), date(2022, 1, 4), date(2023, 1, 4)):
        assert MRI in plan.due_on(when)
    # Pub.: PedsQL "at baseline and at 12 months"
    assert PEDSQL in plan.due_on(DAY0) and PEDSQL in plan.due_on(date(2022, 1, 4))
    # SAP: sequelae at month 24, the year-2 visit's target day 730 (2023-01-04, also the
    # month-24 MRI; hand: troughs fall on days 88 + 91k, 725 then 816, not on 730)
    assert plan.due_on(_day(730)) == (COUNT, MRI, SEQUELAE)
    assert plan.last_date == _day(730)
