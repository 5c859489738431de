"""The assessor's calendar: MRI at months 6, 12, 24 and sequelae at year 2 with their windows."""

from __future__ import annotations

import datetime as dt

import pytest

from khetrial.errors import ProtocolError
from khetrial.protocol.assessments import MRI, SEQUELAE, outcome_assessments

DAY0 = dt.date(2026, 3, 2)


def _by(plan):
    return {(a.kind, a.month): a for a in plan}


def test_windows_are_the_sap_s_for_months_12_and_24_and_30_days_for_month_6():
    plan = _by(outcome_assessments(DAY0, DAY0))
    # Pub.: MRI "at months 6 and 12 and every 12 months thereafter"; 2026-03-02 + 6 months
    m6 = plan[(MRI, 6)]
    assert (m6.target, m6.window_start, m6.window_end) == (
        dt.date(2026, 9, 2), dt.date(2026, 8, 3), dt.date(2026, 10, 2))
    # SAP: month 12 "within 335…395", month 24 "within 670…790", sequelae "days 670…790"
    m12 = plan[(MRI, 12)]
    assert (m12.window_start - DAY0).days == 335 and (m12.window_end - DAY0).days == 395
    m24, seq = plan[(MRI, 24)], plan[(SEQUELAE, 24)]
    assert (m24.window_start - DAY0).days == 670 and (seq.window_end - DAY0).days == 790
    assert {a.status for a in plan.values()} == {"upcoming"}


@pytest.mark.parametrize("day, status", [(334, "upcoming"), (335, "due"), (395, "due"),
                                         (396, "overdue")])
def test_month_12_status_on_both_sides_of_the_window(day, status):
    plan = _by(outcome_assessments(DAY0, DAY0 + dt.timedelta(days=day)))
    assert plan[(MRI, 12)].status == status


def test_an_mri_inside_the_window_is_done_one_outside_is_not():
    today = DAY0 + dt.timedelta(days=400)
    plan = _by(outcome_assessments(DAY0, today, [DAY0 + dt.timedelta(days=396)]))
    assert plan[(MRI, 12)].status == "overdue"
    plan = _by(outcome_assessments(DAY0, today, [DAY0 + dt.timedelta(days=360)]))
    assert (plan[(MRI, 12)].status, plan[(MRI, 12)].done_on) == (
        "done", DAY0 + dt.timedelta(days=360))


def test_a_missing_randomization_date_is_refused():
    with pytest.raises(ProtocolError, match="randomization date"):
        outcome_assessments(None, DAY0)
