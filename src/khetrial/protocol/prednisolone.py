"""Prednisolone (arm SP): when to start the taper, and the taper's weekly steps.

Pub.: "Concurrent prednisolone was administered at 2 mg/kg orally once daily. An attempt at
tapering and discontinuing prednisolone was required within 4 to 6 weeks when satisfactory
responses ensued (eg, platelet count ≥100 × 10⁹/L for at least 1 week)."

Reading (project choices, in ``constants``):

- *Trigger*: the taper may start on the first date on which every platelet count of the last
  7 days or more has been ≥ 100 ×10⁹/L — a run of consecutive counts ≥ 100 whose last date is
  at least 7 days after its first (with counts every 2 days: 4 or 5 counts).
- *Taper*: "within 4 to 6 weeks" is read as the taper's length: *n* weekly steps (default 4,
  allowed 4–6), week *i* (1…*n*) at (*n* + 1 − *i*)/(*n* + 1) of the full daily dose, then stop.
  For *n* = 4: 80 %, 60 %, 40 %, 20 % of 2 mg/kg (1.6, 1.2, 0.8, 0.4 mg/kg/day). The steps
  are a **project choice** and say so wherever they are shown (``TaperPlan.source``, alerts);
  the full dose is the capped one (60 mg/day, :func:`khetrial.protocol.dosing.prednisolone_dose`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from khetrial import constants as C
from khetrial.errors import ProtocolError
from khetrial.protocol._checks import Number, check_date, exact, round_half_up
from khetrial.protocol.dosing import PROJECT_CHOICE, PUBLICATION, prednisolone_dose

TAPER_SOURCE = PROJECT_CHOICE
TRIGGER_SOURCE = PUBLICATION


def taper_start_date(platelets: Iterable[tuple[date, Number]]) -> date | None:
    """The first date on which platelets have been ≥ 100 ×10⁹/L for at least 1 week
    ("platelet count ≥100 × 10⁹/L for at least 1 week"), or ``None`` if not (yet) reached.

    ``platelets`` are (date, count) pairs in any order; several on one date: the last given
    wins (bundle format: "analysis uses the last row of that date"). A count < 100 ends a run.
    """
    by_date: dict[date, Fraction] = {}
    for when, value in platelets:
        by_date[check_date(when, "platelet date")] = exact(value, "platelets", maximum=C.PLATELETS_MAX, unit="×10⁹/L")
    run_start: date | None = None
    for when in sorted(by_date):
        if by_date[when] >= C.PREDNISOLONE_TAPER_PLATELETS:
            run_start = run_start or when
            if (when - run_start).days >= C.PREDNISOLONE_TAPER_TRIGGER_DAYS:
                return when
        else:
            run_start = None
    return None


@dataclass(frozen=True)
class TaperStep:
    """One week of the taper: dates (inclusive), fraction of the full dose and the daily mg."""

    week: int
    start: date
    end: date
    fraction: Fraction
    daily_dose_mg: Decimal

    def to_dict(self) -> dict:
        return {"week": self.week, "start": self.start.isoformat(), "end": self.end.isoformat(),
                "fraction_of_full_dose": float(self.fraction), "daily_dose_mg": float(self.daily_dose_mg)}


@dataclass(frozen=True)
class TaperPlan:
    """The taper from ``start``; prednisolone stops on ``stop`` (the day after the last step)."""

    full_daily_dose_mg: Decimal
    start: date
    steps: tuple[TaperStep, ...]
    stop: date

    def step_on(self, day: date) -> TaperStep | None:
        """The step in force on ``day`` (``None`` before the start or from the stop date)."""
        day = check_date(day, "day")
        return next((s for s in self.steps if s.start <= day <= s.end), None)

    source = TAPER_SOURCE

    def describe(self) -> str:
        """The steps as one line, labelled as the project's choice."""
        percents = "/".join(f"{round(float(s.fraction) * 100)}" for s in self.steps)
        return (f"weekly taper {percents} % of the full dose (project choice within the publication's "
                f"\"within 4 to 6 weeks\"): " + ", ".join(f"week {s.week} {s.daily_dose_mg} mg/day" for s in self.steps)
                + f"; stop on {self.stop}")

    def to_dict(self) -> dict:
        return {"full_daily_dose_mg": float(self.full_daily_dose_mg), "start": self.start.isoformat(),
                "steps": [s.to_dict() for s in self.steps], "stop": self.stop.isoformat(),
                "source": self.source, "trigger_source": TRIGGER_SOURCE, "description": self.describe()}


def taper_plan(weight_kg: Number, start: date, weeks: int = C.PREDNISOLONE_TAPER_DEFAULT_WEEKS) -> TaperPlan:
    """Weekly taper of prednisolone 2 mg/kg/day over ``weeks`` (4–6) weeks from ``start``: Pub.,
    "An attempt at tapering and discontinuing prednisolone was required within 4 to 6 weeks"
    (weekly equal steps: a project choice, module doc); each daily dose to 0.1 mg, computed
    from the exact 2 mg/kg × weight capped at 60 mg/day (project choice)."""
    start = check_date(start, "taper start")
    shortest, longest = C.PREDNISOLONE_TAPER_WEEKS
    if isinstance(weeks, bool) or not isinstance(weeks, int) or not shortest <= weeks <= longest:
        raise ProtocolError(f"taper length: got {weeks!r} weeks; the protocol tapers \"within 4 to 6 weeks\" "
                            f"— give {shortest} to {longest}")
    full = prednisolone_dose(weight_kg)
    full_mg = min(C.PREDNISOLONE_DOSE_MG_KG * exact(weight_kg, "weight", unit="kg"), Fraction(C.PREDNISOLONE_MAX_MG_DAY))
    steps = []
    for i in range(1, weeks + 1):
        fraction = Fraction(weeks + 1 - i, weeks + 1)
        first = start + timedelta((i - 1) * C.DAYS_PER_WEEK)
        steps.append(TaperStep(i, first, first + timedelta(C.DAYS_PER_WEEK - 1), fraction,
                               round_half_up(full_mg * fraction, C.PREDNISOLONE_MG_DECIMALS)))
    return TaperPlan(full.mg_daily, start, tuple(steps),
                     start + timedelta(weeks * C.DAYS_PER_WEEK))
