"""What khetrial's study calendar makes due for one child on one day: the only place the virtual
sites read :mod:`khetrial.protocol.schedule`.

The virtual sites do exactly what the calendar plans, nothing more:

- a blood count (platelets and fibrinogen) on every date of ``StudyCalendar.blood_counts`` and
  at every scheduled visit (the visits are where counts are taken after the 2-day series);
- a sirolimus trough on every date of ``StudyCalendar.troughs`` (plus the rechecks the
  titration advice asks for, which the driver adds);
- an MRI on every date of ``StudyCalendar.mri`` and, when the calendar plans one
  (``baseline_mri``, issue 10 item 1), a baseline MRI on the last day of its window;
- a PedsQL questionnaire on every date of ``StudyCalendar.pedsql``;
- the sequelae assessment at the year-2 visit (target day).

When the calendar changes (issue 10: counts "every 2 days until stabilization", a baseline
MRI), the virtual trial follows without a change here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from khetrial.protocol.schedule import StudyCalendar, study_calendar

COUNT, TROUGH, MRI, PEDSQL, SEQUELAE = "count", "trough", "mri", "pedsql", "sequelae"
ASSESSMENTS = (COUNT, TROUGH, MRI, PEDSQL, SEQUELAE)


@dataclass(frozen=True)
class Plan:
    """The dates of each assessment for one child (sorted, no repeats)."""

    randomized: date
    dates: dict

    def due_on(self, day: date) -> tuple[str, ...]:
        """The assessments due on ``day``, in the order of :data:`ASSESSMENTS`."""
        return tuple(a for a in ASSESSMENTS if day in self.dates[a])

    @property
    def last_date(self) -> date:
        return max(max(d) for d in self.dates.values() if d)


def plan_for(randomized: date) -> Plan:
    """The assessments khetrial's calendar plans for a child randomized on ``randomized``."""
    calendar: StudyCalendar = study_calendar(randomized)
    visits = {v.target for v in calendar.visits}
    baseline_mri = getattr(calendar, "baseline_mri", None)  # planned once issue 10 item 1 lands
    mri = set(calendar.mri) | ({baseline_mri[1]} if baseline_mri else set())
    year_2 = calendar.visits[-1].target
    dates = {COUNT: set(calendar.blood_counts) | visits, TROUGH: set(calendar.troughs),
             MRI: mri, PEDSQL: set(calendar.pedsql), SEQUELAE: {year_2}}
    return Plan(randomized, {k: frozenset(v) for k, v in dates.items()})
