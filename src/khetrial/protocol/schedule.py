"""The study calendar: visits with windows, trough checks, blood counts, MRI and PedsQL.

Day 0 is the randomization date (bundle format: "day 0 = randomization = first dose").

Visits — Pub., "Study outcomes": "the scheduled visits (baseline; at 1, 2, 4, 8, 12, 24 36, 48,
60, 72, and 84 weeks; and 2 years)". Week *w* is due on day 7*w*; "2 years" on day 730 (SAP
"Month 24 = closest to day 730"). Windows (the publication gives none; ``constants``):

- baseline: days −14…0, the SAP's baseline window ("the last measurement on days −14…0");
- weeks 1, 2, 4: ±3 days, the SAP's week-*w* rule ("closest to day 7*w* within ±3 days"), so a
  visit in its window feeds the primary endpoint;
- weeks 8, 12: ±7 days (a quarter of the 4-week gap to the neighbouring visits);
- weeks 24–84: ±14 days (a sixth of the 12-week gap);
- year 2: days 670…790, the SAP's month-24 window, where sequelae are assessed.

No two windows overlap. Status on a given ``today``: ``done`` (with whether it was done inside
the window), ``upcoming`` (before the window), ``due`` (inside it, first and last day
included) or ``overdue`` (after its last day, not done).

Other checks: sirolimus troughs per ``constants.TROUGH_SCHEDULE`` ("weekly for 2 weeks, then
every other week for 2 weeks, then monthly for 2 months, and then every 3 months thereafter");
blood counts "every 2 days until the stabilization of platelet counts"; MRI "at months 6 and 12
and every 12 months thereafter"; PedsQL "at baseline and at 12 months". Months are calendar
months (2026-03-02 + 6 months = 2026-09-02).

Blood counts are driven by the child's data: "stabilization" is read as the SAP's durable run
(≥ 28 days of counts ≥ 100 ×10⁹/L, no gap > 14 days); until it is reached a count is due 2 days
after the latest (:func:`next_blood_count_due`), so no gap can break a run. Without data the
plan runs to day 56 (``constants.BLOOD_COUNT_MAXIMAL_PLAN_DAY``): a child who follows it with
counts ≥ 100 from any day 0…28 on is a week-4 durable responder. A baseline MRI on days −30…0
(SAP "Baseline volume V0 = the last MRI on days −30…0") completes the lesion endpoint.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from khetrial import constants as C
from khetrial.errors import ProtocolError
from khetrial.protocol._checks import Number, add_months, check_date, exact

UPCOMING, DUE, OVERDUE, DONE = "upcoming", "due", "overdue", "done"


@dataclass(frozen=True)
class VisitDefinition:
    """A scheduled visit in study days: target day and window (first and last day, inclusive)."""

    code: str
    name: str
    week: int
    target_day: int
    window_start_day: int
    window_end_day: int


def _half_width(week: int) -> int:
    for up_to_week, half in C.VISIT_WINDOW_HALF_WIDTHS:
        if week <= up_to_week:
            return half
    raise ProtocolError(f"no visit window is defined for week {week}")  # pragma: no cover - constants


def visit_definitions() -> tuple[VisitDefinition, ...]:
    """The publication's visits with their windows in study days: Pub., "the scheduled visits
    (baseline; at 1, 2, 4, 8, 12, 24 36, 48, 60, 72, and 84 weeks; and 2 years)"; the windows
    are the SAP's where it has one and project choices elsewhere (module doc)."""
    visits = []
    for week in C.VISIT_WEEKS:
        if week == 0:
            start, end = C.BASELINE_VISIT_WINDOW
            visits.append(VisitDefinition("baseline", "Baseline", 0, 0, start, end))
        elif week == C.VISIT_WEEKS[-1]:
            start, end = C.YEAR2_VISIT_WINDOW
            visits.append(VisitDefinition("year_2", "Year 2", week, C.YEAR2_VISIT_TARGET_DAY, start, end))
        else:
            day, half = week * C.DAYS_PER_WEEK, _half_width(week)
            visits.append(VisitDefinition(f"week_{week}", f"Week {week}", week, day, day - half, day + half))
    return tuple(visits)


@dataclass(frozen=True)
class PlannedVisit:
    """A visit on the calendar of one patient."""

    code: str
    name: str
    target: date
    window_start: date
    window_end: date

    def contains(self, day: date) -> bool:
        return self.window_start <= day <= self.window_end

    def to_dict(self) -> dict:
        return {"code": self.code, "name": self.name, "target_date": self.target.isoformat(),
                "window_start": self.window_start.isoformat(), "window_end": self.window_end.isoformat()}


def plan_visits(randomized: date) -> tuple[PlannedVisit, ...]:
    """The visit calendar of a patient randomized on ``randomized``: Pub.'s "scheduled visits
    (baseline; at 1, 2, 4, ... 84 weeks; and 2 years)" as dates, day 0 = randomization
    (bundle format: "day 0 = randomization = first dose")."""
    day0 = check_date(randomized, "randomization date")
    return tuple(PlannedVisit(v.code, v.name, day0 + timedelta(v.target_day),
                              day0 + timedelta(v.window_start_day), day0 + timedelta(v.window_end_day))
                 for v in visit_definitions())


def follow_up_end(randomized: date) -> date:
    """The last day of the follow-up of a patient randomized on ``randomized``: the last day of
    the protocol's last visit window (Pub. "and 2 years"; the SAP's month-24 window, day 790).
    After it nothing can be due any more."""
    return plan_visits(randomized)[-1].window_end


def follow_up_cutoff(today: date) -> date:
    """The earliest randomization date whose follow-up is not over on ``today``: a patient
    randomized before it is past :func:`follow_up_end` (``today`` after its last day), one
    randomized on it has ``today`` as its last day. Visits are counted in days from day 0, so
    this is ``today`` minus the last window's last study day (the SAP's month-24 window); a
    database filters on it."""
    return check_date(today, "today") - timedelta(visit_definitions()[-1].window_end_day)


@dataclass(frozen=True)
class VisitStatus:
    """Where a visit stands on ``today``. ``done_on``/``in_window`` only when done."""

    visit: PlannedVisit
    status: str
    done_on: date | None = None
    in_window: bool | None = None

    def to_dict(self) -> dict:
        return {**self.visit.to_dict(), "status": self.status,
                "done_on": self.done_on.isoformat() if self.done_on else None, "in_window": self.in_window}


def visit_statuses(randomized: date, today: date, done: Mapping[str, date] | None = None) -> tuple[VisitStatus, ...]:
    """Status of every visit of the Pub.'s "scheduled visits" on ``today`` (``upcoming``,
    ``due`` inside the window, ends included, ``overdue``, ``done``); ``done`` maps a visit code
    (``week_4``) to the date it took place. Unknown codes are an input error."""
    today = check_date(today, "today")
    visits = plan_visits(randomized)
    done = dict(done or {})
    unknown = set(done) - {v.code for v in visits}
    if unknown:
        raise ProtocolError(f"visits done: got unknown visit code(s) {', '.join(sorted(unknown))}; expected "
                            f"codes among {', '.join(v.code for v in visits)}")
    statuses = []
    for visit in visits:
        if visit.code in done:
            when = check_date(done[visit.code], f"date of visit {visit.code}")
            statuses.append(VisitStatus(visit, DONE, when, visit.contains(when)))
        elif today < visit.window_start:
            statuses.append(VisitStatus(visit, UPCOMING))
        elif today <= visit.window_end:
            statuses.append(VisitStatus(visit, DUE))
        else:
            statuses.append(VisitStatus(visit, OVERDUE))
    return tuple(statuses)


def _check_span(start: date, until: date) -> tuple[date, date]:
    start, until = check_date(start, "start date"), check_date(until, "until date")
    if until < start:
        raise ProtocolError(f"until: got {until}, before the start {start}; give a later end date")
    return start, until


def trough_dates(start: date, until: date) -> tuple[date, ...]:
    """Sirolimus trough checks from ``start`` (first dose) through ``until``: "weekly for 2
    weeks, then every other week for 2 weeks, then monthly for 2 months, and then every 3
    months thereafter" as ``constants.TROUGH_SCHEDULE`` (days 7, 14, 28, 58, 88, 179, ...)."""
    start, until = _check_span(start, until)
    last_day = (until - start).days
    days, day = [], 0
    for interval, count in C.TROUGH_SCHEDULE:
        n = 0
        while (count is None or n < count) and day + interval <= last_day:
            day, n = day + interval, n + 1
            days.append(day)
        if count is None or n < count:  # ran past ``until``
            break
    return tuple(start + timedelta(d) for d in days)


def next_scheduled_trough(start: date, after: date) -> date:
    """The first protocol trough date strictly after ``after`` (sirolimus started ``start``):
    troughs "weekly for 2 weeks, then every other week for 2 weeks, then monthly for 2 months,
    and then every 3 months thereafter" (:func:`trough_dates`)."""
    start, after = check_date(start, "start date"), check_date(after, "after")
    horizon = max(after, start) + timedelta(max(interval for interval, _ in C.TROUGH_SCHEDULE))
    return next(d for d in trough_dates(start, horizon) if d > after)


def blood_count_dates(start: date, until: date) -> tuple[date, ...]:
    """Blood counts "every 2 days until the stabilization of platelet counts was reached":
    ``start``, ``start`` + 2, ... through ``until`` (the date platelets are judged stable), and
    days 7 and 21 after ``start`` (day 0), the last days a run may start for weeks 1 and 3 (SAP
    "first day ≤ 7k"; project choice, ``constants.RESPONSE_WEEK_LAST_START_DAYS``)."""
    start, until = _check_span(start, until)
    step, last = C.PLATELET_MONITORING_INTERVAL_DAYS, (until - start).days
    days = set(range(0, last + 1, step)) | {d for d in C.RESPONSE_WEEK_LAST_START_DAYS if d <= last}
    return tuple(start + timedelta(d) for d in sorted(days))


def _next_count_day(last_day: int) -> int:
    """The study day of the count after one on ``last_day``: 2 days later (Pub.), or day 7k
    (k = 1…4) when it falls in between, the last day a run may start for week k (SAP; project
    choice, ``constants.RESPONSE_WEEK_LAST_START_DAYS``)."""
    step = C.PLATELET_MONITORING_INTERVAL_DAYS
    return min([last_day + step] + [d for d in C.RESPONSE_WEEK_LAST_START_DAYS if last_day < d < last_day + step])


def _series(randomized: date, values: Iterable[tuple[date, Number]], today: date | None,
            name: str, maximum, unit: str) -> list[tuple[date, Fraction]]:
    """(date, value) on days ≥ 0 and up to ``today``, sorted, the last given of a date kept."""
    by_date: dict[date, Fraction] = {}
    for when, value in values:
        when = check_date(when, f"{name} date")
        value = exact(value, name, maximum=maximum, unit=unit)
        if when >= randomized and (today is None or when <= today):
            by_date[when] = value
    return sorted(by_date.items())


def _platelet_series(randomized: date, platelets: Iterable[tuple[date, Number]],
                     today: date | None) -> list[tuple[date, Fraction]]:
    return _series(randomized, platelets, today, "platelets", C.PLATELETS_MAX, "×10⁹/L")


def _durable_run_complete_on(series: list[tuple[date, Fraction]], is_ok) -> date | None:
    """The first date on which a run of ``is_ok`` values (no two more than 14 days apart) has
    lasted ≥ 28 days (SAP "durable"), or ``None``."""
    run_start: date | None = None
    previous: date | None = None
    for when, value in series:
        if not is_ok(value):
            run_start = None
        elif run_start is None or (when - previous).days > C.RUN_MAX_GAP_DAYS:
            run_start = when
        previous = when
        if run_start is not None and (when - run_start).days >= C.DURABLE_RUN_MIN_DAYS:
            return when
    return None


def platelets_stabilized_on(randomized: date, platelets: Iterable[tuple[date, Number]],
                            today: date | None = None) -> date | None:
    """The date platelets reached "stabilization" (Pub.: blood counts "every 2 days until the
    stabilization of platelet counts was reached"), read as the SAP's durable run: consecutive
    counts on days ≥ 0 all ≥ 100 ×10⁹/L, no two more than 14 days apart, last day − first day
    ≥ 28. Returns the first date on which such a run is complete, ``None`` if none (yet).

    ``platelets`` are (date, count) pairs in any order; several on one date: the last given
    wins (bundle format: "analysis uses the last row of that date"); counts after ``today``
    are ignored.
    """
    day0 = check_date(randomized, "randomization date")
    today = None if today is None else check_date(today, "today")
    return _durable_run_complete_on(_platelet_series(day0, platelets, today),
                                    lambda count: count >= C.PLATELET_RESPONSE_THRESHOLD)


def fibrinogen_stabilized_on(randomized: date, fibrinogen: Iterable[tuple[date, Number]],
                             today: date | None = None) -> date | None:
    """The date fibrinogen reached the SAP's "fibrinogen stabilization": a durable run (as for
    platelets) of values > 1.6 g/L (strictly greater); ``None`` if none (yet)."""
    day0 = check_date(randomized, "randomization date")
    today = None if today is None else check_date(today, "today")
    series = _series(day0, fibrinogen, today, "fibrinogen", C.FIBRINOGEN_MAX, "g/L")
    return _durable_run_complete_on(series, lambda value: value > C.FIBRINOGEN_STABLE_THRESHOLD)


@dataclass(frozen=True)
class BloodCountDue:
    """The next blood count of a child whose platelets are not yet stable.

    ``due``: the date of the next count every 2 days (``None`` once stabilized);
    ``keeps_run_until``: when the latest count is ≥ 100, the last date on which the next count
    still continues that run (latest + 14 days, SAP), else ``None``;
    ``stabilized_on``: the date stabilization was reached, if it was.
    """

    due: date | None
    keeps_run_until: date | None
    stabilized_on: date | None
    last_count_on: date | None
    reason: str

    def is_overdue(self, today: date) -> bool:
        """Whether the count due was not done by ``today`` (``today`` after ``due``)."""
        return self.due is not None and check_date(today, "today") > self.due

    def to_dict(self) -> dict:
        iso = lambda d: d.isoformat() if d else None  # noqa: E731
        return {"next_count_due": iso(self.due), "keeps_run_until": iso(self.keeps_run_until),
                "stabilized_on": iso(self.stabilized_on), "last_count_on": iso(self.last_count_on),
                "reason": self.reason, "source": "publication"}


def next_blood_count_due(randomized: date, platelets: Iterable[tuple[date, Number]],
                         today: date | None = None,
                         fibrinogen: Iterable[tuple[date, Number]] | None = None) -> BloodCountDue:
    """The next count of "blood counts every 2 days until the stabilization of platelet counts
    was reached" (Pub.), from the child's platelet series (counts after ``today`` ignored):
    2 days after the latest count on a day ≥ 0 (day 0 when there is none), and no count at all
    once :func:`platelets_stabilized_on` has a date — from then on blood counts follow the
    scheduled visits.

    Given the child's ``fibrinogen`` values too, the 2-day counts also go on until fibrinogen is
    stable (:func:`fibrinogen_stabilized_on`) or the maximal plan's last day (56) has passed, by
    which the week-4 fibrinogen endpoint is decided (project choice: otherwise the gap to the next
    visit would break a fibrinogen run the analysis plan could still count)."""
    day0 = check_date(randomized, "randomization date")
    series = _platelet_series(day0, platelets, today)
    stable = platelets_stabilized_on(day0, series, today)
    last = series[-1] if series else None
    last_on = last[0] if last else None
    if stable is not None and fibrinogen is not None and last_on is not None:
        fibrinogen_stable = fibrinogen_stabilized_on(day0, fibrinogen, today)
        decided = last_on >= day0 + timedelta(C.BLOOD_COUNT_MAXIMAL_PLAN_DAY)
        if fibrinogen_stable is None and not decided:
            due = day0 + timedelta(_next_count_day((last_on - day0).days))
            return BloodCountDue(due, None, None, last_on,
                                 f"platelets stabilized on {stable}, fibrinogen not yet (> "
                                 f"{C.FIBRINOGEN_STABLE_THRESHOLD} g/L for ≥ {C.DURABLE_RUN_MIN_DAYS} "
                                 f"days): counts every {C.PLATELET_MONITORING_INTERVAL_DAYS} days go on "
                                 f"to day {C.BLOOD_COUNT_MAXIMAL_PLAN_DAY} (project choice); next on {due}")
    if stable is not None:
        return BloodCountDue(None, None, stable, last_on,
                             f"platelets stabilized on {stable} (≥ {C.PLATELET_RESPONSE_THRESHOLD} ×10⁹/L for "
                             f"≥ {C.DURABLE_RUN_MIN_DAYS} days): counts every "
                             f"{C.PLATELET_MONITORING_INTERVAL_DAYS} days end; count at the scheduled visits")
    step = C.PLATELET_MONITORING_INTERVAL_DAYS
    if last is None:
        return BloodCountDue(day0, None, None, None, f"no count since randomization: first count on day 0 ({day0})")
    due = day0 + timedelta(_next_count_day((last_on - day0).days))
    keeps = last_on + timedelta(C.RUN_MAX_GAP_DAYS) if last[1] >= C.PLATELET_RESPONSE_THRESHOLD else None
    reason = (f"counts every {step} days until platelets stabilize (≥ {C.PLATELET_RESPONSE_THRESHOLD} ×10⁹/L "
              f"for ≥ {C.DURABLE_RUN_MIN_DAYS} days): next on {due}")
    if (due - last_on).days < step:
        reason += (f" (day {(due - day0).days}, the last day a run may start for week "
                   f"{(due - day0).days // C.DAYS_PER_WEEK}: project choice)")
    if keeps is not None:
        reason += f"; a count after {keeps} would break the current run"
    return BloodCountDue(due, keeps, None, last_on, reason)


def mri_dates(randomized: date) -> tuple[date, ...]:
    """Volumetric MRI "at months 6 and 12 and every 12 months thereafter" within follow-up."""
    day0 = check_date(randomized, "randomization date")
    return tuple(add_months(day0, m) for m in C.MRI_MONTHS)


def pedsql_dates(randomized: date) -> tuple[date, ...]:
    """PedsQL "completed by parents at baseline and at 12 months after treatment"."""
    day0 = check_date(randomized, "randomization date")
    return tuple(add_months(day0, m) for m in C.PEDSQL_MONTHS)


def baseline_mri_window(randomized: date) -> tuple[date, date]:
    """The baseline MRI's dates: the SAP's "Baseline volume V0 = the last MRI on days −30…0",
    without which the month-12 lesion response is ``not_evaluable`` (a non-response)."""
    day0 = check_date(randomized, "randomization date")
    first, last = C.BASELINE_MRI_WINDOW
    return day0 + timedelta(first), day0 + timedelta(last)


@dataclass(frozen=True)
class StudyCalendar:
    """One patient's calendar: visits, trough checks, blood counts, MRI and PedsQL dates.

    ``blood_counts`` run every 2 days to ``platelets_stable_on`` when it is known, else to day
    56, the maximal plan (``blood_counts_maximal``); ``baseline_mri`` is the (first, last) date
    of the baseline MRI's window."""

    randomized: date
    visits: tuple[PlannedVisit, ...]
    troughs: tuple[date, ...]
    blood_counts: tuple[date, ...]
    mri: tuple[date, ...]
    pedsql: tuple[date, ...]
    end_of_follow_up: date
    baseline_mri: tuple[date, date] | None = None
    blood_counts_maximal: bool = False

    def to_dict(self) -> dict:
        iso = lambda days: [d.isoformat() for d in days]  # noqa: E731
        baseline = self.baseline_mri or baseline_mri_window(self.randomized)
        return {"randomized": self.randomized.isoformat(), "visits": [v.to_dict() for v in self.visits],
                "trough_dates": iso(self.troughs), "blood_count_dates": iso(self.blood_counts),
                "blood_count_interval_days": C.PLATELET_MONITORING_INTERVAL_DAYS,
                "blood_counts_until": ("stabilization unknown: maximal plan to day "
                                       f"{C.BLOOD_COUNT_MAXIMAL_PLAN_DAY}" if self.blood_counts_maximal
                                       else "platelets stabilized"),
                "baseline_mri_window": {"start": baseline[0].isoformat(), "end": baseline[1].isoformat(),
                                        "source": "SAP"},
                "mri_dates": iso(self.mri), "pedsql_dates": iso(self.pedsql),
                "end_of_follow_up": self.end_of_follow_up.isoformat()}


def study_calendar(randomized: date, platelets_stable_on: date | None = None,
                   troughs_until: date | None = None) -> StudyCalendar:
    """The full calendar. Blood counts "every 2 days until the stabilization of platelet counts
    was reached" run to ``platelets_stable_on`` (see :func:`platelets_stabilized_on`); when it
    is not known, to day 56, the maximal plan: a child with counts ≥ 100 ×10⁹/L from any day
    0…28 on then has a run confirmed durable (SAP, ≥ 28 days) that starts by day 28. Troughs
    run to ``troughs_until`` (default: end of follow-up, "followed for a total of 2 years",
    day 730 — stop them when sirolimus stops). The baseline MRI window is the SAP's days
    −30…0."""
    day0 = check_date(randomized, "randomization date")
    end = day0 + timedelta(C.YEAR2_VISIT_TARGET_DAY)
    maximal = platelets_stable_on is None
    stable = day0 + timedelta(C.BLOOD_COUNT_MAXIMAL_PLAN_DAY) if maximal else platelets_stable_on
    return StudyCalendar(day0, plan_visits(day0), trough_dates(day0, troughs_until or end),
                         blood_count_dates(day0, stable), mri_dates(day0), pedsql_dates(day0), end,
                         baseline_mri_window(day0), maximal)
