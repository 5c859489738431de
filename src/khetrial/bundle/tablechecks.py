"""The edit checks of :mod:`khetrial.bundle.checks`, run on whole tables at once.

:func:`khetrial.bundle.checks.row_findings` checks one row (the EDC's forms and API call it
for every write); a bundle has hundreds of thousands of rows, so the validator runs the same
rules here as masks over columns and formats a message only for a failing cell. The messages
come from the same sentences (:func:`~khetrial.bundle.checks.date_problem` and the module's
formats); ``tests/bundle/test_vectorised_validation.py`` checks that the validator gives the same
problems as the row-by-row loop it replaced.

Identifiers are left out (the column rules check them). A bundle records no screening answer
about an earlier mTOR inhibitor, so the prior-sirolimus rule never applies to a bundle.
"""

from __future__ import annotations

import datetime

import numpy as np
import pandas as pd

from khetrial.bundle.checks import PATIENT_TABLE, before_birth_message, date_problem, floor_message
from khetrial.bundle.csvfile import RawTable
from khetrial.bundle.format import (DATE, DEFAULT_STUDY_DAY_FLOOR, DOSE_MAX_BY_UNIT, EARLIEST_DATE,
                                    LATEST_STORABLE_DATE, PLANNED_DATE_COLUMNS, STUDY_DAY_FLOORS,
                                    TABLE_NAMES, TABLE_SPECS)
from khetrial.bundle.model import Bundle
from khetrial.bundle.parse import NAT, ParsedColumn
from khetrial.errors import Problem

_EARLIEST = np.datetime64(EARLIEST_DATE, "D")
_NO_SCREENING_FLOOR = (PATIENT_TABLE, "screening")  # only "not before birth" applies there
_BASELINE_VOLUME = ("lesion_volume_ml: got 0 on a baseline MRI (days ≤ 0); a baseline lesion "
                    "volume must be > 0 mL (analysis plan: a baseline volume of 0 is not "
                    "evaluable)")


def edit_check_problems(bundle: Bundle, raws: dict[str, RawTable | None],
                        parsed: dict[str, dict[str, ParsedColumn]],
                        today: datetime.date | None) -> list[Problem]:
    """Every finding of the edit checks in every row of every file, located (file, line,
    column, the cell as written). Rows of an unknown patient are checked without patient
    dates (the unknown id is reported already)."""
    births, randomizations = _patient_dates(bundle.patients)
    problems: list[Problem] = []
    for name in TABLE_NAMES:
        raw = raws.get(name)
        if raw is None or not raw.header or not any(c in raw.header for c in TABLE_SPECS[name].column_names):
            continue
        found = _table_findings(name, bundle.tables[name], parsed[name], births, randomizations,
                                today)
        for row, column, message in sorted(found, key=lambda f: f[0]):
            cell = raw.frame.at[row, column] if column in raw.frame else None
            problems.append(Problem(raw.file, raw.lines[row], column, cell, message))
    return problems


def _patient_dates(patients: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Birth and randomization day (datetime64[D]) by patient_id, the first row of each."""
    known = patients[patients["patient_id"].notna()].drop_duplicates("patient_id")
    index = pd.Index(known["patient_id"].to_numpy(dtype=object))
    return (pd.Series(known["birth_date"].to_numpy().astype("datetime64[D]"), index=index),
            pd.Series(known["randomization_date"].to_numpy().astype("datetime64[D]"), index=index))


def _lookup(dates: pd.Series, position: np.ndarray) -> np.ndarray:
    """``dates`` at ``position`` (NaT where it is -1: an unknown patient)."""
    out = np.full(len(position), NAT)
    found = position >= 0
    out[found] = dates.to_numpy()[position[found]]
    return out


def _table_findings(name: str, table: pd.DataFrame, parsed: dict[str, ParsedColumn],
                    births: pd.Series, randomizations: pd.Series,
                    today: datetime.date | None) -> list[tuple[int, str, str]]:
    """(row, column, message) of every finding of the table ``name``."""
    n = len(table)
    dates = {c.name: (parsed[c.name].days if c.name in parsed else np.full(n, NAT))
             for c in TABLE_SPECS[name].columns if c.kind == DATE}
    found: list[tuple[int, str, str]] = []
    refused = {}
    for column, days in dates.items():
        planned = (name, column) in PLANNED_DATE_COLUMNS
        latest = np.datetime64(LATEST_STORABLE_DATE if today is None or planned else today, "D")
        bad = ~np.isnat(days) & ((days < _EARLIEST) | (days > latest))
        refused[column] = bad
        for row in np.flatnonzero(bad).tolist():
            found.append((row, column, date_problem(column, _date(days[row]),
                                                    None if planned else today)))
    if name == PATIENT_TABLE:
        birth = np.where(refused["birth_date"], NAT, dates["birth_date"])
        randomized = dates["randomization_date"]
    elif "patient_id" in parsed:
        position = births.index.get_indexer(table["patient_id"])  # randomizations: the same index
        birth = _lookup(births, position)
        randomized = _lookup(randomizations, position)
    else:  # no patient to check against
        birth = randomized = np.full(n, NAT)
    found += _patient_date_findings(name, dates, refused, birth, randomized)
    found += _number_findings(name, table, dates, randomized)
    return found


def _patient_date_findings(name: str, dates: dict[str, np.ndarray], refused: dict[str, np.ndarray],
                           birth: np.ndarray, randomized: np.ndarray) -> list[tuple[int, str, str]]:
    found = []
    for column, days in dates.items():
        if name == PATIENT_TABLE and column == "birth_date":
            continue
        checked = ~np.isnat(days) & ~refused[column]
        before_birth = checked & ~np.isnat(birth) & (days < birth)
        for row in np.flatnonzero(before_birth).tolist():
            found.append((row, column, before_birth_message(name, column, _date(days[row]), _date(birth[row]))))
        floor = STUDY_DAY_FLOORS.get((name, column), DEFAULT_STUDY_DAY_FLOOR)
        if name in _NO_SCREENING_FLOOR or floor.day is None:
            continue
        study_day = (days - randomized).astype("int64")
        early = checked & ~before_birth & ~np.isnat(randomized) & (study_day < floor.day)
        for row in np.flatnonzero(early).tolist():
            found.append((row, column, floor_message(name, column, _date(days[row]),
                                                     int(study_day[row]), floor)))
    return found


def _number_findings(name: str, table: pd.DataFrame, dates: dict[str, np.ndarray],
                     randomized: np.ndarray) -> list[tuple[int, str, str]]:
    found = []
    if name == "medications":
        dose = table["dose"].to_numpy(dtype="float64")
        unit = table["dose_unit"].astype(object).to_numpy()
        top = pd.Series(unit).map(DOSE_MAX_BY_UNIT).to_numpy(dtype="float64")
        for row in np.flatnonzero(dose > top).tolist():
            found.append((row, "dose", f"dose: got {dose[row]:g} {unit[row]}; a dose in "
                                       f"{unit[row]} must be 0–{top[row]:g} (project choice: "
                                       "plausible maximum)"))
    if name == "mri":
        volume = table["lesion_volume_ml"].to_numpy(dtype="float64")
        day = dates["date"]
        baseline = ~np.isnat(day) & ~np.isnat(randomized) & (day <= randomized)
        found += [(row, "lesion_volume_ml", _BASELINE_VOLUME)
                  for row in np.flatnonzero((volume == 0) & baseline).tolist()]
    return found


def _date(day: np.datetime64) -> datetime.date:
    return day.astype("datetime64[D]").astype(object)
