"""The study calendar (Pub. "Study outcomes" and "Study intervention"; windows: protocol/schedule.py)."""

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from khetrial.endpoints.response import derive_platelet_response
from khetrial.errors import ProtocolError
from khetrial.protocol.schedule import (
    baseline_mri_window,
    blood_count_dates,
    fibrinogen_stabilized_on,
    follow_up_cutoff,
    follow_up_end,
    next_blood_count_due,
    platelets_stabilized_on,
    mri_dates,
    next_scheduled_trough,
    pedsql_dates,
    plan_visits,
    study_calendar,
    trough_dates,
    visit_definitions,
    visit_statuses,
)

D0 = date(2026, 3, 2)


def test_the_publication_visits_in_order():
    # Pub.: "baseline; at 1, 2, 4, 8, 12, 24 36, 48, 60, 72, and 84 weeks; and 2 years"
    codes = [v.code for v in visit_definitions()]
    assert codes == ["baseline", "week_1", "week_2", "week_4", "week_8", "week_12", "week_24", "week_36",
                     "week_48", "week_60", "week_72", "week_84", "year_2"]


@pytest.mark.parametrize("code, target, start, end", [
    ("baseline", 0, -14, 0),     # SAP baseline window "days −14…0"
    ("week_1", 7, 4, 10),        # SAP "closest to day 7w within ±3 days"
    ("week_4", 28, 25, 31),
    ("week_8", 56, 49, 63),      # ±7 (project choice)
    ("week_24", 168, 154, 182),  # ±14 (project choice)
    ("week_84", 588, 574, 602),
    ("year_2", 730, 670, 790),   # SAP "Month 24 = closest to day 730 within days 670…790"
])
def test_visit_windows_in_study_days(code, target, start, end):
    visit = next(v for v in visit_definitions() if v.code == code)
    assert (visit.target_day, visit.window_start_day, visit.window_end_day) == (target, start, end)


def test_windows_never_overlap():
    visits = visit_definitions()
    for before, after in zip(visits, visits[1:]):
        assert before.window_end_day < after.window_start_day


def test_visit_dates_for_a_patient():
    week4 = next(v for v in plan_visits(D0) if v.code == "week_4")
    # 2026-03-02 + 28 days = 2026-03-30 (March has 31 days); window 03-27 … 04-02
    assert (week4.target, week4.window_start, week4.window_end) == (date(2026, 3, 30), date(2026, 3, 27), date(2026, 4, 2))


@pytest.mark.parametrize("today, status", [
    (date(2026, 3, 26), "upcoming"),  # day before the week-4 window
    (date(2026, 3, 27), "due"),       # first day of the window
    (date(2026, 4, 2), "due"),        # last day of the window
    (date(2026, 4, 3), "overdue"),    # day after
])
def test_visit_status_at_the_window_edges(today, status):
    week4 = next(s for s in visit_statuses(D0, today) if s.visit.code == "week_4")
    assert week4.status == status


def test_done_visits_report_whether_they_were_in_the_window():
    statuses = {s.visit.code: s for s in visit_statuses(D0, date(2026, 4, 10),
                                                         {"week_1": date(2026, 3, 9), "week_2": date(2026, 3, 21)})}
    assert statuses["week_1"].status == "done" and statuses["week_1"].in_window is True
    assert statuses["week_2"].status == "done" and statuses["week_2"].in_window is False  # window ends 03-19


def test_unknown_visit_code_is_refused_with_the_known_codes():
    with pytest.raises(ProtocolError, match="week_9.*week_8"):
        visit_statuses(D0, D0, {"week_9": D0})


def test_trough_schedule():
    # Pub.: "weekly for 2 weeks, then every other week for 2 weeks, then monthly for 2 months, and then
    # every 3 months": days 7, 14, 28, 58, 88, 179, 270, 361 (30-day months, 91-day quarters)
    # 2026-03-02 + 7 = 03-09; +14 = 03-16; +28 = 03-30; +58 = 04-29; +88 = 05-29; +179 = 08-28;
    # +270 = 11-27; +361 = 2027-02-26
    assert trough_dates(D0, date(2027, 3, 1)) == (
        date(2026, 3, 9), date(2026, 3, 16), date(2026, 3, 30), date(2026, 4, 29), date(2026, 5, 29),
        date(2026, 8, 28), date(2026, 11, 27), date(2027, 2, 26))


def test_trough_schedule_stops_at_until():
    assert trough_dates(D0, date(2026, 3, 16)) == (date(2026, 3, 9), date(2026, 3, 16))
    assert trough_dates(D0, date(2026, 3, 8)) == ()


def test_next_scheduled_trough():
    assert next_scheduled_trough(D0, date(2026, 3, 9)) == date(2026, 3, 16)  # strictly after
    assert next_scheduled_trough(D0, date(2026, 6, 1)) == date(2026, 8, 28)
    assert next_scheduled_trough(D0, date(2026, 1, 1)) == date(2026, 3, 9)


def test_blood_counts_every_two_days_until_stable():
    # Pub.: "blood counts every 2 days until the stabilization of platelet counts"
    assert blood_count_dates(D0, D0 + timedelta(5)) == (D0, D0 + timedelta(2), D0 + timedelta(4))
    with pytest.raises(ProtocolError, match="before the start"):
        blood_count_dates(D0, D0 - timedelta(1))


def test_mri_and_pedsql_dates():
    # Pub.: MRI "at months 6 and 12 and every 12 months thereafter" (within the 2-year follow-up);
    # PedsQL "at baseline and at 12 months". Calendar months from 2026-03-02.
    assert mri_dates(D0) == (date(2026, 9, 2), date(2027, 3, 2), date(2028, 3, 2))
    assert pedsql_dates(D0) == (D0, date(2027, 3, 2))


def test_month_end_randomization_clamps_to_the_month():
    # 2026-08-31 + 6 months = 2027-02-28 (February 2027 has 28 days)
    assert mri_dates(date(2026, 8, 31))[0] == date(2027, 2, 28)


def test_calendar_defaults():
    calendar = study_calendar(D0)
    # default, no stabilization known: the maximal plan to day 28 + 28 = 56 (a run starting by
    # week 4 is confirmed durable, SAP "last day − its first day ≥ 28"); 2026-03-02 + 56 = 04-27
    assert calendar.blood_counts[-1] == D0 + timedelta(56) == date(2026, 4, 27)
    assert calendar.end_of_follow_up == D0 + timedelta(730)  # "followed for a total of 2 years"
    data = calendar.to_dict()
    assert data["visits"][0] == {"code": "baseline", "name": "Baseline", "target_date": "2026-03-02",
                                 "window_start": "2026-02-16", "window_end": "2026-03-02"}


def test_dates_must_be_dates():
    with pytest.raises(ProtocolError, match="calendar date"):
        plan_visits("2026-03-02")


def series(*pairs):
    return [(D0 + timedelta(d), v) for d, v in pairs]


def every_two_days(first, last, value):
    return [(d, value) for d in range(first, last + 1, 2)]


# SAP: "durable when its last day − its first day ≥ 28"; "no two consecutive measurements are
# more than 14 days apart"; "all ≥ 100 ×10⁹/L".
@pytest.mark.parametrize("pairs, stable_day", [
    (every_two_days(0, 28, 100), 28),                          # 28 − 0 = 28: stable on day 28
    (every_two_days(0, 26, 100), None),                        # 26 < 28: not yet
    (every_two_days(0, 28, 100)[:-1] + [(28, 99)], None),      # 99 on day 28 breaks the run
    ([(0, 150), (14, 150), (28, 150)], 28),                    # gaps of exactly 14 keep the run
    ([(0, 150), (15, 150), (29, 150), (43, 150)], 43),         # 0 → 15 breaks; 15 … 43 = 28 days
    ([(-4, 150)] + every_two_days(0, 24, 150), None),          # day −4 is before day 0: not used
])
def test_platelets_stabilize_on_the_day_a_durable_run_completes(pairs, stable_day):
    expected = None if stable_day is None else D0 + timedelta(stable_day)
    assert platelets_stabilized_on(D0, series(*pairs)) == expected


def test_counts_after_today_are_ignored():
    pairs = series(*every_two_days(0, 28, 120))
    assert platelets_stabilized_on(D0, pairs, today=D0 + timedelta(27)) is None
    assert platelets_stabilized_on(D0, pairs, today=D0 + timedelta(28)) == D0 + timedelta(28)


def test_next_count_is_two_days_after_the_latest():
    # Pub.: "blood counts every 2 days until the stabilization of platelet counts was reached"
    due = next_blood_count_due(D0, series((0, 20), (2, 40), (4, 85)))
    assert due.due == D0 + timedelta(6) and due.keeps_run_until is None and due.stabilized_on is None
    assert not due.is_overdue(D0 + timedelta(6)) and due.is_overdue(D0 + timedelta(7))


def test_next_count_names_the_last_day_that_keeps_a_run():
    # latest count 110 on day 4: a count after day 4 + 14 = 18 would break the run (SAP gap rule)
    due = next_blood_count_due(D0, series((0, 20), (4, 110)))
    assert due.due == D0 + timedelta(6) and due.keeps_run_until == D0 + timedelta(18)
    assert "would break" in due.reason and due.to_dict()["source"] == "publication"


def test_first_count_due_on_day_0_without_counts():
    assert next_blood_count_due(D0, []).due == D0
    assert next_blood_count_due(D0, series((-3, 40))).due == D0  # baseline counts are before day 0


def test_no_count_every_two_days_once_stabilized():
    due = next_blood_count_due(D0, series(*every_two_days(0, 30, 130)))
    assert due.due is None and due.stabilized_on == D0 + timedelta(28) and not due.is_overdue(D0 + timedelta(90))


def test_a_future_count_does_not_hide_the_count_due_today():
    due = next_blood_count_due(D0, series((0, 20), (2, 30), (20, 200)), today=D0 + timedelta(5))
    assert due.due == D0 + timedelta(4) and due.is_overdue(D0 + timedelta(5))


def test_baseline_mri_window_is_days_minus_30_to_0():
    # SAP: "Baseline volume V0 = the last MRI on days −30…0"; 2026-03-02 − 30 days = 2026-01-31
    assert baseline_mri_window(D0) == (date(2026, 1, 31), D0)
    assert study_calendar(D0).to_dict()["baseline_mri_window"] == {"start": "2026-01-31", "end": "2026-03-02",
                                                                   "source": "SAP"}


def test_a_known_stabilization_ends_the_counts():
    calendar = study_calendar(D0, D0 + timedelta(30))
    assert calendar.blood_counts[-1] == D0 + timedelta(30) and not calendar.blood_counts_maximal


@settings(max_examples=60, deadline=None)
@given(first_ok_day=st.integers(0, 28), low=st.integers(0, 99), high=st.integers(100, 2000),
       randomized=st.dates(date(2020, 1, 1), date(2030, 12, 31)))
def test_a_child_who_follows_the_maximal_plan_from_any_day_0_to_28_is_a_week4_responder(
        first_ok_day, low, high, randomized):
    """Issue 10: counts on exactly the plan's dates, < 100 before ``first_ok_day`` and ≥ 100 from
    it on, give a week-4 durable responder under the SAP's rule, as the analysis derives it."""
    plan = study_calendar(randomized).blood_counts
    days = [(d - randomized).days for d in plan]
    values = [high if day >= first_ok_day else low for day in days]
    measurements = pd.DataFrame({"patient_id": "P1", "day": days, "value": np.array(values, dtype=float)})
    out = derive_platelet_response(measurements, pd.DataFrame({"patient_id": ["P1"], "arm": ["SP"]}),
                                   pd.DataFrame({"patient_id": ["P1"], "censoring_day": [np.nan]}))
    assert out.loc[0, "durable_platelet_response_wk4"] == 1


@settings(max_examples=80, deadline=None)
@given(week=st.sampled_from([1, 2, 3, 4]), data=st.data(), low=st.integers(0, 99), high=st.integers(100, 2000))
def test_a_child_who_follows_the_counts_due_with_counts_ok_from_day_7k_or_before_responds_at_week_k(
        week, data, low, high):
    """Following :func:`next_blood_count_due` day by day, a child whose true counts are ≥ 100 from
    any day ≤ 7k on is a week-k durable responder (SAP), for every k = 1…4 — as in the truth."""
    first_ok_day = data.draw(st.integers(0, 7 * week))
    recorded: list[tuple[date, float]] = []
    due = next_blood_count_due(D0, recorded)
    while due.due is not None and (due.due - D0).days <= 60:
        day = (due.due - D0).days
        recorded.append((due.due, float(high if day >= first_ok_day else low)))
        due = next_blood_count_due(D0, recorded)
    measurements = pd.DataFrame({"patient_id": "P1", "day": [(d - D0).days for d, _ in recorded],
                                 "value": [v for _, v in recorded]})
    out = derive_platelet_response(measurements, pd.DataFrame({"patient_id": ["P1"], "arm": ["SP"]}),
                                   pd.DataFrame({"patient_id": ["P1"], "censoring_day": [np.nan]}))
    assert out.loc[0, f"durable_platelet_response_wk{week}"] == 1


def test_the_old_plan_to_day_28_then_week_8_lost_the_primary_endpoint():
    # Issue 10: counts every 2 days to day 28 then day 56; ≥ 100 from day 10 → run 10…28 (18 days)
    # then a 28-day gap breaks it: not a responder. The new maximal plan keeps counting to day 56.
    days = list(range(0, 29, 2)) + [56]
    values = [50.0 if d < 10 else 150.0 for d in days]
    measurements = pd.DataFrame({"patient_id": "P1", "day": days, "value": values})
    out = derive_platelet_response(measurements, pd.DataFrame({"patient_id": ["P1"], "arm": ["S"]}),
                                   pd.DataFrame({"patient_id": ["P1"], "censoring_day": [np.nan]}))
    assert out.loc[0, "durable_platelet_response_wk4"] == 0
    # the new plan: every 2 days to day 56, and days 7 and 21 (the last start days of weeks 1, 3)
    assert [(d - D0).days for d in study_calendar(D0).blood_counts] == sorted([*range(0, 57, 2), 7, 21])


@pytest.mark.parametrize(("last_day", "next_day"), [
    (4, 6), (5, 7), (6, 7), (7, 9), (12, 14), (13, 14), (19, 21), (20, 21), (21, 23), (26, 28), (27, 28),
    (28, 30), (29, 31)])
def test_a_count_is_due_on_day_7k_when_it_falls_between_two_counts(last_day, next_day):
    # SAP: a responder at week k has a durable run whose "first day ≤ 7k"; counts every 2 days
    # from day 0 fall on even days, so days 7 and 21 are added (project choice) and no run that
    # starts on day 7k is seen a day late; after day 28 the plain 2-day rhythm.
    due = next_blood_count_due(D0, series((0, 20), (last_day, 40)))
    assert due.due == D0 + timedelta(next_day)
    assert ("last day a run may start" in due.reason) == (next_day - last_day == 1)


def _every_two_days(day0, until_day, value):
    return [(day0 + timedelta(d), value) for d in range(0, until_day + 1, 2)]


def test_counts_go_on_while_fibrinogen_is_not_stable_until_day_56():
    day0 = date(2026, 3, 2)
    platelets = _every_two_days(day0, 30, 150)          # ≥ 100 from day 0: stable on day 28
    low_fibrinogen = _every_two_days(day0, 30, 1.2)     # never > 1.6
    # platelets alone: stable, the 2-day series ends
    assert next_blood_count_due(day0, platelets).due is None
    # fibrinogen not stable and day 30 < 56: the next count is 2 days after the last (day 32)
    due = next_blood_count_due(day0, platelets, fibrinogen=low_fibrinogen)
    assert due.due == day0 + timedelta(32)
    assert "project choice" in due.reason
    # by day 56 the week-4 fibrinogen endpoint is decided: the series ends
    late = _every_two_days(day0, 56, 150)
    assert next_blood_count_due(day0, late, fibrinogen=_every_two_days(day0, 56, 1.2)).due is None
    # one count earlier (day 54) it still goes on
    before = _every_two_days(day0, 54, 150)
    assert next_blood_count_due(day0, before, fibrinogen=_every_two_days(day0, 54, 1.2)).due == day0 + timedelta(56)


def test_fibrinogen_stable_ends_the_series_with_platelets():
    day0 = date(2026, 3, 2)
    platelets = _every_two_days(day0, 30, 150)
    # 1.7 g/L (> 1.6) from day 0 to day 28: a 28-day run, stable on day 28
    fibrinogen = _every_two_days(day0, 30, 1.7)
    assert fibrinogen_stabilized_on(day0, fibrinogen) == day0 + timedelta(28)
    assert next_blood_count_due(day0, platelets, fibrinogen=fibrinogen).due is None
    # exactly 1.6 is not > 1.6 (SAP "strictly greater"): not stable
    assert fibrinogen_stabilized_on(day0, _every_two_days(day0, 30, 1.6)) is None


# --- the end of follow-up -------------------------------------------------------------------------
def test_follow_up_ends_on_the_last_day_of_the_year_2_window():
    assert follow_up_end(D0) == plan_visits(D0)[-1].window_end == D0 + timedelta(790)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 1, 1)))
def test_the_cutoff_splits_patients_at_the_boundary_day(today):
    """Randomized on the cut-off: ``today`` is the last day of follow-up (not over); one day
    earlier: follow-up ended yesterday (over)."""
    cutoff = follow_up_cutoff(today)
    assert follow_up_end(cutoff) == today
    assert follow_up_end(cutoff - timedelta(1)) == today - timedelta(1)
    assert follow_up_end(cutoff + timedelta(1)) > today


def test_the_cutoff_refuses_a_non_date():
    with pytest.raises(ProtocolError, match="today"):
        follow_up_cutoff("2026-03-02")
