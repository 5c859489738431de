"""What khetrial's study calendar makes due for one child on one day: the only place the virtual
sites read :mod:`khetrial.protocol.schedule`.

The virtual sites do what the patient page says is due, nothing more:

- a blood count (platelets and fibrinogen) when :func:`next_blood_count_due` says one is due
  on or before today (Pub.: "every 2 days until the stabilization of platelet counts", read
  from the counts the site has entered), and at every scheduled visit;
- a sirolimus trough on every date of ``StudyCalendar.troughs`` (plus the rechecks the
  titration advice asks for, which the driver adds);
- an MRI on the last day of the baseline MRI window (SAP days −30…0: day 0) and on every date
  of ``StudyCalendar.mri``;
- a PedsQL questionnaire on every date of ``StudyCalendar.pedsql``;
- the sequelae assessment at the year-2 visit (target day).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from khetrial.protocol.schedule import next_blood_count_due, study_calendar

COUNT, TROUGH, MRI, PEDSQL, SEQUELAE = "count", "trough", "mri", "pedsql", "sequelae"
ASSESSMENTS = (COUNT, TROUGH, MRI, PEDSQL, SEQUELAE)


@dataclass(frozen=True)
class Plan:
    """The fixed dates of each assessment for one child (blood counts: the visits only; the
    series every 2 days depends on the counts, see :meth:`due_on`)."""

    randomized: date
    dates: dict

    def due_on(self, day: date, next_count: date | None) -> tuple[str, ...]:
        """The assessments due on ``day``, in the order of :data:`ASSESSMENTS`, when the next
        count of the 2-day series is due on ``next_count`` (:func:`next_count_date`)."""
        due = {a for a in ASSESSMENTS if day in self.dates[a]}
        if next_count is not None and next_count <= day:
            due.add(COUNT)
        return tuple(a for a in ASSESSMENTS if a in due)

    @property
    def last_date(self) -> date:
        return max(max(d) for d in self.dates.values() if d)


def next_count_date(randomized: date, platelets: Iterable[tuple[date, float]],
                    fibrinogen: Iterable[tuple[date, float]] = ()) -> date | None:
    """When the next count of the 2-day series is due, given the counts entered so far
    (``(date, value)`` pairs; none: day 0); ``None`` once platelets (and fibrinogen, or day 56)
    are stable. It changes only when a count is entered, so the sites ask again only then."""
    return next_blood_count_due(randomized, platelets, fibrinogen=list(fibrinogen) or None).due


def plan_for(randomized: date) -> Plan:
    """The fixed-date assessments khetrial's calendar plans for a child randomized on
    ``randomized``."""
    calendar = study_calendar(randomized)
    visits = {v.target for v in calendar.visits}
    dates = {COUNT: visits, TROUGH: set(calendar.troughs),
             MRI: set(calendar.mri) | {calendar.baseline_mri[1]},
             PEDSQL: set(calendar.pedsql), SEQUELAE: {calendar.visits[-1].target}}
    return Plan(randomized, {k: frozenset(v) for k, v in dates.items()})
