"""The blinded outcome assessor's calendar: MRI lesion volumes and the year-2 sequelae.

Pure: the randomization date, ``today`` and the dates already recorded come in as arguments.
Nothing here knows the arm, the drugs or any treatment value: the assessor's worklist is built
from the patient's randomization date and the assessments it enters itself (MRI, sequelae).

- MRI "at months 6 and 12 and every 12 months thereafter" (Pub., ``constants.MRI_MONTHS``,
  within the 2 years of follow-up: months 6, 12 and 24). Windows: month 12 = the SAP's days
  335…395, month 24 = the SAP's days 670…790; month 6 = the date ± 30 days (project choice,
  ``constants.MONTH6_MRI_WINDOW_HALF_DAYS``).
- Sequelae "assessed at 2 years" (SAP: "dated on days 670…790", ``constants.SEQUELAE_WINDOW``).

An assessment is ``done`` when a row is dated inside its window, ``upcoming`` before the window,
``due`` inside it (ends included) and ``overdue`` after it — the words of
:mod:`khetrial.protocol.schedule`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from khetrial import constants as C
from khetrial.protocol._checks import add_months, check_date
from khetrial.protocol.schedule import DONE, DUE, OVERDUE, UPCOMING

MRI, SEQUELAE = "mri", "sequelae"
OPEN_STATUSES = (DUE, OVERDUE)

__all__ = ["MRI", "SEQUELAE", "OPEN_STATUSES", "OutcomeAssessment", "outcome_assessments"]


@dataclass(frozen=True)
class OutcomeAssessment:
    """One assessment on a patient's calendar and where it stands on ``today``."""

    kind: str  # MRI or SEQUELAE (the table it is entered in)
    month: int
    target: date
    window_start: date
    window_end: date
    status: str
    done_on: date | None = None


def _mri_window(day0: date, month: int) -> tuple[date, date, date]:
    target = add_months(day0, month)
    if month == 12:
        first, last = C.MONTH12_WINDOW
    elif month == 24:
        first, last = C.MONTH24_WINDOW
    else:
        half = C.MONTH6_MRI_WINDOW_HALF_DAYS
        return target, target - timedelta(half), target + timedelta(half)
    return target, day0 + timedelta(first), day0 + timedelta(last)


def _status(start: date, end: date, today: date, done: list[date]) -> tuple[str, date | None]:
    inside = sorted(d for d in done if start <= d <= end)
    if inside:
        return DONE, inside[0]
    if today < start:
        return UPCOMING, None
    return (DUE, None) if today <= end else (OVERDUE, None)


def outcome_assessments(randomized: date, today: date, mri_dates: Iterable[date] = (),
                        sequelae_dates: Iterable[date] = ()) -> tuple[OutcomeAssessment, ...]:
    """The MRI volumes (months 6, 12, 24) and the year-2 sequelae of a patient randomized on
    ``randomized``, each with its status on ``today`` given the dates already recorded."""
    day0 = check_date(randomized, "randomization date")
    today = check_date(today, "today")
    mri = [check_date(d, "MRI date") for d in mri_dates]
    sequelae = [check_date(d, "sequelae date") for d in sequelae_dates]
    out = []
    for month in C.MRI_MONTHS:
        target, start, end = _mri_window(day0, month)
        status, done_on = _status(start, end, today, mri)
        out.append(OutcomeAssessment(MRI, month, target, start, end, status, done_on))
    first, last = C.SEQUELAE_WINDOW
    start, end = day0 + timedelta(first), day0 + timedelta(last)
    status, done_on = _status(start, end, today, sequelae)
    out.append(OutcomeAssessment(SEQUELAE, 24, day0 + timedelta(C.MONTH24_TARGET_DAY), start, end,
                                 status, done_on))
    return tuple(out)
