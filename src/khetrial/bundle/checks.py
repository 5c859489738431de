"""Edit checks of one row, the same for the bundle import and for every write of the EDC.

Pure functions over plain values (``datetime.date``, ``str``, ``float``): the caller gives the
patient's dates and today's date (the core never reads the clock). The bundle validator
(:mod:`khetrial.bundle.validate`) turns each :class:`Finding` into a located problem (file,
line, column); the EDC's record service and forms (:mod:`khetrial.edc.trial.records`,
:mod:`khetrial.edc.web.forms`) show it on the field.

The rules, all data in :mod:`khetrial.bundle.format`:

- identifiers (``patient_id``, ``site_id``, ``screening_id``): :data:`ID_PATTERN`, at most
  :data:`ID_MAX_LENGTH` characters, never an arm code;
- every date on :data:`EARLIEST_DATE` … today (or … :data:`LATEST_STORABLE_DATE` when no today
  is given, or for a planned date of :data:`PLANNED_DATE_COLUMNS`); a birth date therefore never
  in the future;
- no date of a patient before the birth date (KMP onset and randomization included);
- study data dated before randomization only where the plan allows
  (:data:`STUDY_DAY_FLOORS`: baseline windows, prior therapy courses);
- a sirolimus course before randomization only when the screening recorded an earlier mTOR
  inhibitor (``PatientDates.prior_mtor_inhibitor``; unknown = not checked, as in a bundle);
- at randomization, the birth date and sex the screening recorded (:func:`screening_findings`);
- a dose at most :data:`DOSE_MAX_BY_UNIT` of its unit; a baseline MRI volume above 0 (the
  plan: "a baseline volume of 0 is not_evaluable"; 0 later is a complete response).

Example::

    >>> import datetime as dt
    >>> p = PatientDates(birth_date=dt.date(2017, 1, 1), randomization_date=dt.date(2018, 1, 10))
    >>> row_findings("labs", {"date": dt.date(2018, 2, 2), "test": "platelets", "value": 8.0},
    ...              patient=p, today=dt.date(2018, 2, 1))[0].message
    'date: got 2018-02-02 (after today); date must be 1990-01-01 … today (2018-02-01) (project choice)'
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping
from dataclasses import dataclass

from khetrial.bundle.format import (DATE, DEFAULT_STUDY_DAY_FLOOR, DOSE_MAX_BY_UNIT,
                                    EARLIEST_DATE, ID_MAX_LENGTH, ID_PATTERN, IDENTIFIER_RULE,
                                    LATEST_STORABLE_DATE, PLANNED_DATE_COLUMNS, RESERVED_IDS,
                                    STUDY_DAY_FLOORS, TABLE_SPECS)

__all__ = ["Finding", "PatientDates", "Screened", "date_problem", "identifier_problem",
           "row_findings", "screening_findings"]

#: The patient's own dates, which are not checked against a patient.
PATIENT_TABLE = "patients"


@dataclass(frozen=True)
class PatientDates:
    """The dates of one patient that other rows are checked against (``None`` = unknown)."""

    birth_date: datetime.date | None
    randomization_date: datetime.date | None
    prior_mtor_inhibitor: bool | None = None  # as the screening recorded it; None = unknown


@dataclass(frozen=True)
class Screened:
    """What the screening recorded about a child (``None``/``""`` = not recorded)."""

    birth_date: datetime.date | None = None
    sex: str = ""


@dataclass(frozen=True)
class Finding:
    """One refused value: the column and a message saying what was got and what is allowed."""

    column: str
    message: str


def identifier_problem(value, column: str = "patient_id") -> str | None:
    """Why ``value`` is not a valid identifier, or ``None`` when it is."""
    text = "" if value is None else str(value)
    if len(text) > ID_MAX_LENGTH:
        return f"{column}: got {len(text)} characters; {column} must be {IDENTIFIER_RULE}"
    if ID_PATTERN.fullmatch(text) is None or text.lower() in RESERVED_IDS:
        return f"{column}: got {text!r}; {column} must be {IDENTIFIER_RULE}"
    return None


def date_problem(column: str, day: datetime.date, today: datetime.date | None) -> str | None:
    """Why ``day`` is not a plausible date, or ``None``: it must be on :data:`EARLIEST_DATE` …
    ``today`` (… :data:`LATEST_STORABLE_DATE` when ``today`` is ``None``)."""
    latest = today if today is not None else LATEST_STORABLE_DATE
    if EARLIEST_DATE <= day <= latest:
        return None
    bound = f"today ({today.isoformat()})" if today is not None else latest.isoformat()
    after = "after today" if today is not None and day > today else "outside the plausible range"
    return (f"{column}: got {day.isoformat()} ({after}); {column} must be "
            f"{EARLIEST_DATE.isoformat()} … {bound} (project choice)")


def row_findings(table: str, row: Mapping, *, patient: PatientDates | None = None,
                 today: datetime.date | None = None, identifiers: bool = True) -> list[Finding]:
    """Every edit check of one row of ``table`` (bundle column names; missing values as
    ``None``). ``patient`` gives the dates to check against (for ``patients`` rows the row's
    own); ``identifiers=False`` leaves the identifier columns out."""
    spec = TABLE_SPECS[table]
    findings: list[Finding] = []
    if identifiers:
        for col in spec.columns:
            value = row.get(col.name)
            if col.identifier and _present(value):
                message = identifier_problem(value, col.name)
                if message:
                    findings.append(Finding(col.name, message))
    dates = {c.name: _day(row.get(c.name)) for c in spec.columns if c.kind == DATE}
    for name, day in dates.items():
        if day is not None:
            message = date_problem(name, day, None if (table, name) in PLANNED_DATE_COLUMNS else today)
            if message:
                findings.append(Finding(name, message))
    bad = {f.column for f in findings}
    if table == PATIENT_TABLE:  # a refused birth date is not compared with the other dates
        birth = None if "birth_date" in bad else dates.get("birth_date")
        patient = PatientDates(birth, dates.get("randomization_date"))
    if patient is not None:
        findings += _patient_date_findings(table, dates, patient, skip=bad)
    findings += _number_findings(table, row, patient, dates)
    return findings


def screening_findings(row: Mapping, screened: Screened) -> list[Finding]:
    """A ``patients`` row at randomization that contradicts its screening: birth date, sex."""
    out = []
    birth = _day(row.get("birth_date"))
    if screened.birth_date is not None and birth is not None and birth != screened.birth_date:
        out.append(Finding("birth_date", f"birth_date: got {birth.isoformat()}; the screening "
                                         f"recorded {screened.birth_date.isoformat()}; the birth "
                                         "date must agree with the screening (correct the "
                                         "screening first if it is wrong)"))
    sex = row.get("sex")
    if screened.sex and _present(sex) and str(sex) != screened.sex:
        out.append(Finding("sex", f"sex: got {sex}; the screening recorded {screened.sex}; the "
                                  "sex must agree with the screening (correct the screening "
                                  "first if it is wrong)"))
    return out


def _patient_date_findings(table: str, dates: Mapping, patient: PatientDates,
                           skip: set[str]) -> list[Finding]:
    out = []
    for name, day in dates.items():
        if day is None or name in skip or (table == PATIENT_TABLE and name == "birth_date"):
            continue
        if patient.birth_date is not None and day < patient.birth_date:
            out.append(Finding(name, before_birth_message(table, name, day, patient.birth_date)))
            continue
        if table in (PATIENT_TABLE, "screening") or patient.randomization_date is None:
            continue
        floor = STUDY_DAY_FLOORS.get((table, name), DEFAULT_STUDY_DAY_FLOOR)
        study_day = (day - patient.randomization_date).days
        if floor.day is not None and study_day < floor.day:
            out.append(Finding(name, floor_message(table, name, day, study_day, floor)))
    return out


def before_birth_message(table: str, name: str, day: datetime.date, birth: datetime.date) -> str:
    """The edit check's words for a date before the child's birth (rows and whole tables)."""
    return f"{name}: got {day.isoformat()}; {table}.{name} must not be before the birth date ({birth.isoformat()})"


def floor_message(table, name, day, study_day, floor) -> str:
    """The edit check's words for a date before the study day its table allows (rows and whole
    tables)."""
    if floor.day == 0:
        allowed = f"{table}.{name} must not be before randomization"
    else:
        allowed = f"{table}.{name} may be before randomization only on days {floor.day}…0"
    return (f"{name}: got {day.isoformat()} (study day {study_day}); {allowed}: {floor.why}")


def _number_findings(table: str, row: Mapping, patient: PatientDates | None,
                     dates: Mapping) -> list[Finding]:
    out = []
    if table == "medications":
        out += _prior_sirolimus_findings(row, patient, dates.get("start_date"))
        dose, unit = _number(row.get("dose")), row.get("dose_unit")
        top = DOSE_MAX_BY_UNIT.get(str(unit)) if _present(unit) else None
        if dose is not None and top is not None and dose > top:
            out.append(Finding("dose", f"dose: got {dose:g} {unit}; a dose in {unit} must be "
                                       f"0–{top:g} (project choice: plausible maximum)"))
    if table == "mri":
        volume, day = _number(row.get("lesion_volume_ml")), dates.get("date")
        baseline = (patient is not None and patient.randomization_date is not None
                    and day is not None and day <= patient.randomization_date)
        if volume == 0 and baseline:
            out.append(Finding("lesion_volume_ml", "lesion_volume_ml: got 0 on a baseline MRI "
                                                   "(days ≤ 0); a baseline lesion volume must be "
                                                   "> 0 mL (analysis plan: a baseline volume of "
                                                   "0 is not evaluable)"))
    return out


def _prior_sirolimus_findings(row: Mapping, patient: PatientDates | None,
                              start: datetime.date | None) -> list[Finding]:
    if (row.get("drug") != "sirolimus" or patient is None or start is None
            or patient.prior_mtor_inhibitor is not False or patient.randomization_date is None
            or start >= patient.randomization_date):
        return []
    day = (start - patient.randomization_date).days
    return [Finding("start_date", f"start_date: got {start.isoformat()} (study day {day}); a "
                                  "sirolimus course before randomization contradicts the "
                                  "screening, which recorded no earlier mTOR inhibitor (an "
                                  "exclusion criterion, publication); start it on day 0 or "
                                  "later, or correct the screening")]


def _present(value) -> bool:
    if value is None or value == "":
        return False
    return not (isinstance(value, float) and math.isnan(value))


def _number(value) -> float | None:
    if not _present(value) or isinstance(value, bool):
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x


def _day(value) -> datetime.date | None:
    """A date of a row: ``datetime.date``, ``datetime``/``Timestamp`` (day taken), ISO text;
    anything else (missing, unreadable: reported by the type checks) -> ``None``."""
    if value is None or value != value:  # NaN and NaT are not equal to themselves
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            return None
    return None
