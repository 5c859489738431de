"""Rules across rows and files of a bundle (the per-column rules are in ``validate.py``).

Each rule reads the canonical tables (values that could not be read are missing there and
were reported by the column rules, so they are skipped here) and the line numbers of the
raw files.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from khetrial.bundle.csvfile import RawTable
from khetrial.bundle.format import DATE_ORDER_RULES, DISCONTINUATION_REASONS, TABLE_NAMES, TABLE_SPECS
from khetrial.bundle.model import Bundle
from khetrial.errors import Problem


def cross_file_problems(bundle: Bundle, raws: dict[str, RawTable | None]) -> list[Problem]:
    """Every cross-row and cross-file problem of ``bundle``."""
    present = {name: raw for name, raw in raws.items() if raw is not None and raw.header}
    problems: list[Problem] = []
    problems += unique_problems(bundle.patients, present.get("patients"), "patient_id",
                                "one row per patient")
    problems += unique_problems(bundle.screening, present.get("screening"), "screening_id",
                                "every screening_id must be unique")
    problems += unknown_patient_problems(bundle, present)
    for name, end, start in DATE_ORDER_RULES:
        problems += date_order_problems(bundle.tables[name], present.get(name), end, start)
    problems += disposition_problems(bundle.disposition, present.get("disposition"))
    problems += dose_unit_problems(bundle.medications, present.get("medications"))
    return problems


def _present(raw: RawTable | None, *columns: str) -> bool:
    return raw is not None and all(c in raw.header for c in columns)


def unique_problems(table: pd.DataFrame, raw: RawTable | None, column: str, rule: str) -> list[Problem]:
    """A value of ``column`` that appears again (reported on each repeat, naming the first)."""
    if not _present(raw, column):
        return []
    values = table[column]
    given = values.notna()
    repeats = np.flatnonzero((values.duplicated(keep="first") & given).to_numpy())
    if not len(repeats):
        return []
    lines = np.asarray(raw.lines)
    first = dict(zip(values[given & ~values.duplicated(keep="first")].tolist(),
                     lines[(given & ~values.duplicated(keep="first")).to_numpy()].tolist()))
    problems = []
    for row in repeats.tolist():
        value = values.iat[row]
        problems.append(Problem(raw.file, raw.lines[row], column, value,
                                f"{column} {value} already appears on line {first[value]}; {rule}"))
    return problems


def unknown_patient_problems(bundle: Bundle, raws: dict[str, RawTable]) -> list[Problem]:
    """A ``patient_id`` (set) in another file that has no row in patients.csv."""
    if not _present(raws.get("patients"), "patient_id"):
        return []  # patients.csv missing or broken: reported already, nothing to join on
    known = bundle.patients["patient_id"].dropna().unique()
    problems = []
    for name in TABLE_NAMES[1:]:
        raw = raws.get(name)
        if not _present(raw, "patient_id"):
            continue
        ids = bundle.tables[name]["patient_id"]
        unknown = (ids.notna() & ~ids.isin(known)).to_numpy()
        for row in np.flatnonzero(unknown).tolist():
            problems.append(Problem(raw.file, raw.lines[row], "patient_id", ids.iat[row],
                                    "patient_id is not in patients.csv; every patient_id must "
                                    "have a row in patients.csv"))
    return problems


def date_order_problems(table: pd.DataFrame, raw: RawTable | None, end: str, start: str) -> list[Problem]:
    """An ``end`` date before its ``start`` date."""
    if not _present(raw, end, start):
        return []
    before = (table[end] < table[start]).fillna(False)
    return [Problem(raw.file, raw.lines[row], end, raw.frame.at[row, end],
                    f"{end} must not be before {start} ({raw.frame.at[row, start]})")
            for row in before[before].index]


def disposition_problems(table: pd.DataFrame, raw: RawTable | None) -> list[Problem]:
    """``reason`` must be empty when completed and given when discontinued."""
    if not _present(raw, "status"):
        return []
    given = (raw.frame["reason"].to_numpy(dtype=object) if "reason" in raw.frame.columns
             else np.full(len(table), None, dtype=object))
    written = ~pd.isna(given)
    status = table["status"]
    completed = ((status == "completed").to_numpy() & written)
    discontinued = ((status == "discontinued").to_numpy() & table["reason"].isna().to_numpy()
                    & ~written)
    problems = []
    for row in np.flatnonzero(completed | discontinued).tolist():
        if completed[row]:
            problems.append(Problem(raw.file, raw.lines[row], "reason", given[row],
                                    "reason must be empty when status is completed"))
        else:
            problems.append(Problem(raw.file, raw.lines[row], "reason", None,
                                    "reason must not be empty when status is discontinued; use one "
                                    f"of {', '.join(DISCONTINUATION_REASONS)}"))
    return problems


def dose_unit_problems(table: pd.DataFrame, raw: RawTable | None) -> list[Problem]:
    """A ``dose`` without a ``dose_unit``."""
    if not _present(raw, "dose"):
        return []
    given_unit = (raw.frame["dose_unit"].notna() if "dose_unit" in raw.frame.columns
                  else pd.Series(False, index=raw.frame.index))
    missing = table["dose"].notna() & ~given_unit.to_numpy()
    units = ", ".join(TABLE_SPECS["medications"].column("dose_unit").codes)
    return [Problem(raw.file, raw.lines[row], "dose_unit", None,
                    f"dose_unit must not be empty when a dose is given; use one of {units}")
            for row in missing[missing].index]
