"""The bundle validator as it was before the vectorised passes (issue 13), kept only here.

The reference for ``test_vectorised_validation.py``: the old cell-by-cell readers, the pandera
schemas, the row-by-row cross-file rules and edit checks, verbatim (only imports gathered and
the module names changed), so that a test can check that the new validator gives the same
problems, in the same order, as this one.
"""

from __future__ import annotations

import csv
import datetime
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from khetrial.bundle.checks import PatientDates, identifier_problem, row_findings
from khetrial.bundle.csvfile import (MAX_ROW_PROBLEMS, MAX_ROWS, RawTable, _header_problems,
                                     _unique, unescape_formula)
from khetrial.bundle.folder import read_raw_tables
from khetrial.bundle.format import (CODE, DATE, DATE_ORDER_RULES, DISCONTINUATION_REASONS, FLAG,
                                    FLAG_CODES, INTEGER, LAB_RANGES, NUMBER, TABLE_NAMES,
                                    TABLE_SPECS, TEXT, ColumnSpec, TableSpec, describe_range)
from khetrial.bundle.model import Bundle
from khetrial.errors import BundleError, Problem


def legacy_validate_bundle(path: str | Path, *, today: datetime.date | None = None) -> Bundle:
    """The old ``validate_bundle``."""
    path = Path(path)
    raws, problems = read_raw_tables(path)
    for name, raw in raws.items():
        if raw is not None and raw.header:
            problems.extend(column_problems(TABLE_SPECS[name], raw))
    bundle = bundle_from_raw(raws, path)
    problems.extend(cross_file_problems(bundle, raws))
    problems.extend(edit_check_problems(bundle, raws, today))
    if problems:
        raise BundleError(capped(sort_problems(problems, raws)), source=str(path))
    return bundle


def bundle_from_raw(raws: dict[str, RawTable | None], source: Path | None) -> Bundle:
    tables = {name: (parse_table(name, raw.frame) if raw is not None and raw.header
                     else parse_table(name, pd.DataFrame())) for name, raw in raws.items()}
    return Bundle(source=source, **tables)


MAX_PROBLEMS = 1000  # as validate.MAX_PROBLEMS


# --- old coerce.py: cell-by-cell parsing -------------------------------------------------------
DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
NUMBER_PATTERN = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
INTEGER_PATTERN = re.compile(r"[+-]?\d{1,15}")
STRING = pd.StringDtype()
NAT = np.datetime64("NaT", "D")
DATE_YEARS = (1678, 2261)  # the years datetime64[ns] holds whole


# --- text cells -> canonical ---------------------------------------------------------------
def _date_or_nat(v) -> np.datetime64:
    if isinstance(v, str) and DATE_PATTERN.fullmatch(v):
        try:
            day = datetime.date.fromisoformat(v)
        except ValueError:
            return NAT
        if DATE_YEARS[0] <= day.year <= DATE_YEARS[1]:
            return np.datetime64(day, "D")
    return NAT


def parse_dates(cells: pd.Series) -> pd.Series:
    """ISO ``YYYY-MM-DD`` text -> ``datetime64[ns]``; anything else -> NaT."""
    days = np.array([_date_or_nat(v) for v in cells], dtype="datetime64[D]")
    return pd.Series(days.astype("datetime64[ns]"), index=cells.index)


def _number_or_nan(v) -> float:
    if isinstance(v, str) and NUMBER_PATTERN.fullmatch(v):
        x = float(v)
        return x if math.isfinite(x) else math.nan
    return math.nan


def parse_numbers(cells: pd.Series) -> pd.Series:
    """Decimal text -> float64; anything else (and non-finite values) -> NaN."""
    return pd.Series(np.array([_number_or_nan(v) for v in cells], dtype="float64"), index=cells.index)


def parse_integers(cells: pd.Series) -> pd.Series:
    """Whole-number text -> Int64; anything else -> <NA>."""
    values = [int(v) if isinstance(v, str) and INTEGER_PATTERN.fullmatch(v) else None for v in cells]
    return pd.Series(pd.array(values, dtype="Int64"), index=cells.index)


def parse_column(cells: pd.Series, spec: ColumnSpec) -> pd.Series:
    """Text cells of one column -> the column's canonical dtype (unreadable -> missing)."""
    if spec.kind == TEXT:
        return read_text(cells)
    if spec.kind == CODE:
        return to_codes(cells, spec)
    if spec.kind == DATE:
        return parse_dates(cells)
    if spec.kind == NUMBER:
        return parse_numbers(cells)
    return parse_integers(cells)  # INTEGER, FLAG


def read_text(cells: pd.Series) -> pd.Series:
    """Text cells of a file -> ``"string"``, formula escaping removed."""
    return cells.map(lambda v: unescape_formula(v) if isinstance(v, str) else None,
                     na_action="ignore").astype(STRING)


def to_codes(values: pd.Series, spec: ColumnSpec) -> pd.Series:
    """Values -> categorical with the spec's code list; a value outside the list -> missing."""
    known = values.astype(object).map(lambda v: v if isinstance(v, str) and v in spec.codes else None)
    return pd.Series(pd.Categorical(known, dtype=spec.dtype), index=values.index)


def parse_table(name: str, raw: pd.DataFrame) -> pd.DataFrame:
    """A frame of text cells of ``<name>.csv`` -> canonical frame: spec columns in spec order
    (absent ones all-missing), then extra columns as ``"string"`` in file order."""
    spec = TABLE_SPECS[name]
    n = len(raw)
    out = {}
    for col in spec.columns:
        cells = raw[col.name] if col.name in raw.columns else pd.Series([None] * n, dtype=object)
        out[col.name] = parse_column(cells.reset_index(drop=True), col)
    for extra in raw.columns:
        if extra not in out:
            out[extra] = read_text(raw[extra].reset_index(drop=True))
    return pd.DataFrame(out, index=pd.RangeIndex(n))



# --- old crosscheck.py: row by row -------------------------------------------------------------
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


def _has(raw: RawTable | None, *columns: str) -> bool:
    return raw is not None and all(c in raw.header for c in columns)


def unique_problems(table: pd.DataFrame, raw: RawTable | None, column: str, rule: str) -> list[Problem]:
    """A value of ``column`` that appears again (reported on each repeat, naming the first)."""
    if not _has(raw, column):
        return []
    first: dict[str, int] = {}
    problems = []
    for row, value in enumerate(table[column]):
        if pd.isna(value):
            continue
        if value in first:
            problems.append(Problem(raw.file, raw.lines[row], column, value,
                                    f"{column} {value} already appears on line {first[value]}; {rule}"))
        else:
            first[value] = raw.lines[row]
    return problems


def unknown_patient_problems(bundle: Bundle, raws: dict[str, RawTable]) -> list[Problem]:
    """A ``patient_id`` (set) in another file that has no row in patients.csv."""
    if not _has(raws.get("patients"), "patient_id"):
        return []  # patients.csv missing or broken: reported already, nothing to join on
    known = set(bundle.patients["patient_id"].dropna())
    problems = []
    for name in TABLE_NAMES[1:]:
        raw = raws.get(name)
        if not _has(raw, "patient_id"):
            continue
        for row, value in enumerate(bundle.tables[name]["patient_id"]):
            if not pd.isna(value) and value not in known:
                problems.append(Problem(raw.file, raw.lines[row], "patient_id", value,
                                        "patient_id is not in patients.csv; every patient_id must "
                                        "have a row in patients.csv"))
    return problems


def date_order_problems(table: pd.DataFrame, raw: RawTable | None, end: str, start: str) -> list[Problem]:
    """An ``end`` date before its ``start`` date."""
    if not _has(raw, end, start):
        return []
    before = (table[end] < table[start]).fillna(False)
    return [Problem(raw.file, raw.lines[row], end, raw.frame.at[row, end],
                    f"{end} must not be before {start} ({raw.frame.at[row, start]})")
            for row in before[before].index]


def disposition_problems(table: pd.DataFrame, raw: RawTable | None) -> list[Problem]:
    """``reason`` must be empty when completed and given when discontinued."""
    if not _has(raw, "status"):
        return []
    reason = table["reason"]
    problems = []
    for row, status in enumerate(table["status"]):
        given = raw.frame.at[row, "reason"] if "reason" in raw.frame.columns else None
        if status == "completed" and given is not None:
            problems.append(Problem(raw.file, raw.lines[row], "reason", given,
                                    "reason must be empty when status is completed"))
        elif status == "discontinued" and pd.isna(reason.iloc[row]) and given is None:
            problems.append(Problem(raw.file, raw.lines[row], "reason", None,
                                    "reason must not be empty when status is discontinued; use one "
                                    f"of {', '.join(DISCONTINUATION_REASONS)}"))
    return problems


def dose_unit_problems(table: pd.DataFrame, raw: RawTable | None) -> list[Problem]:
    """A ``dose`` without a ``dose_unit``."""
    if not _has(raw, "dose"):
        return []
    given_unit = (raw.frame["dose_unit"].notna() if "dose_unit" in raw.frame.columns
                  else pd.Series(False, index=raw.frame.index))
    missing = table["dose"].notna() & ~given_unit.to_numpy()
    units = ", ".join(TABLE_SPECS["medications"].column("dose_unit").codes)
    return [Problem(raw.file, raw.lines[row], "dose_unit", None,
                    f"dose_unit must not be empty when a dose is given; use one of {units}")
            for row in missing[missing].index]


# --- old validate.py: pandera schemas and the edit-check loop ----------------------------------
@dataclass(frozen=True)
class _Rule:
    """What a named pandera check means: the column it is about and the sentence to show."""

    column: str
    message: str


def capped(problems: list[Problem], limit: int = MAX_PROBLEMS) -> list[Problem]:
    """The first ``limit`` problems, then one line counting the rest."""
    if len(problems) <= limit:
        return problems
    rest = len(problems) - limit
    return problems[:limit] + [Problem("bundle", None, None, None,
                                       f"{rest:,} more problems not listed (listing stops after "
                                       f"{limit:,}); correct these and validate again")]


# --- edit checks of each row (the same as the EDC's forms and API) -------------------------------
def edit_check_problems(bundle: Bundle, raws: dict[str, RawTable | None],
                        today: datetime.date | None) -> list[Problem]:
    """The findings of :func:`khetrial.bundle.checks.row_findings` for every row, located.

    Identifiers are checked by the column rules; rows of an unknown patient are checked
    without patient dates (the unknown id is reported already)."""
    patients = _patient_dates(bundle.patients)
    problems: list[Problem] = []
    for name in TABLE_NAMES:
        raw = raws.get(name)
        if raw is None or not raw.header:
            continue
        spec = TABLE_SPECS[name]
        columns = [c for c in spec.column_names if c in raw.header]
        if not columns:
            continue
        # dates as written (a canonical date cannot hold 2999-01-01, the checks must see it)
        frame = bundle.tables[name][columns].astype(object)
        for column in columns:
            if spec.column(column).kind == DATE:
                frame[column] = raw.frame[column].to_numpy()
        for row, values in enumerate(frame.itertuples(index=False, name=None)):
            record = dict(zip(columns, values))
            patient = patients.get(record.get("patient_id")) if name != "patients" else None
            for finding in row_findings(name, record, patient=patient, today=today,
                                        identifiers=False):
                cell = raw.frame.at[row, finding.column] if finding.column in raw.frame else None
                problems.append(Problem(raw.file, raw.lines[row], finding.column, cell,
                                        finding.message))
    return problems


def _patient_dates(patients: pd.DataFrame) -> dict[str, PatientDates]:
    out: dict[str, PatientDates] = {}
    for pid, birth, randomized in patients[["patient_id", "birth_date", "randomization_date"]] \
            .itertuples(index=False, name=None):
        if isinstance(pid, str) and pid not in out:
            out[pid] = PatientDates(_date_or_none(birth), _date_or_none(randomized))
    return out


def _date_or_none(value) -> datetime.date | None:
    return None if pd.isna(value) else value.date()


def sort_problems(problems: list[Problem], raws: dict[str, RawTable | None]) -> list[Problem]:
    """Problems in file order, then line (file-level first), then column order of the file."""
    file_rank = {TABLE_SPECS[n].file: i for i, n in enumerate(TABLE_NAMES)}

    def key(p: Problem):
        name = p.file.removesuffix(".csv")
        raw = raws.get(name)
        header = raw.header if raw is not None else []
        col = header.index(p.column) if p.column in header else len(header)
        return (file_rank.get(p.file, len(file_rank)), p.line or 0, col)

    return sorted(problems, key=key)


# --- per-column rules --------------------------------------------------------------------------
def column_problems(spec: TableSpec, raw: RawTable) -> list[Problem]:
    """Missing required columns, then every failed per-column rule of ``raw``."""
    problems = [Problem(spec.file, 1, col.name, None, _missing_column_message(spec, col, raw.header))
                for col in spec.columns if col.required and col.name not in raw.header]
    schema, rules = build_schema(spec, raw.header)
    try:
        schema.validate(raw.frame, lazy=True)
    except SchemaErrors as errors:
        problems.extend(_failure_problems(spec, raw, errors.failure_cases, rules))
    return problems


def _missing_column_message(spec: TableSpec, col: ColumnSpec, header: list[str]) -> str:
    near = [name for name in header if name.strip().lower() == col.name]
    if near:
        return (f"required column {col.name} is missing from the header (found {near[0]!r}; "
                "column names are exact, lower case, without spaces)")
    return (f"required column {col.name} is missing from the header; add it "
            f"(columns of {spec.file}: {', '.join(spec.column_names)})")


def build_schema(spec: TableSpec, header: list[str]) -> tuple[pa.DataFrameSchema, dict[str, _Rule]]:
    """The pandera schema of the spec columns present in ``header`` (text cells, ``None`` =
    empty) and the meaning of each named check."""
    rules: dict[str, _Rule] = {}
    columns = {}
    for col in spec.columns:
        if col.name in header:
            columns[col.name] = pa.Column(None, checks=_column_checks(col, rules),
                                          nullable=not col.required, required=False)
    checks = []
    if spec.name == "labs" and {"test", "value"} <= set(header):
        for test, lab in LAB_RANGES.items():
            name = f"value:range:{test}"
            rules[name] = _Rule("value", f"{test} must be {describe_range(lab.low, lab.high, lab.unit)}")
            checks.append(pa.Check(_lab_in_range(test, lab.low, lab.high), name=name, ignore_na=False))
    return pa.DataFrameSchema(columns, checks=checks, coerce=False, strict=False), rules


def _column_checks(col: ColumnSpec, rules: dict[str, _Rule]) -> list[pa.Check]:
    def check(kind: str, function, message: str) -> pa.Check:
        name = f"{col.name}:{kind}"
        rules[name] = _Rule(col.name, message)
        return pa.Check(function, name=name)

    if col.identifier:
        return [check("identifier", lambda s, name=col.name: s.map(
            lambda v: v is None or identifier_problem(v, name) is None).astype(bool),
            col.allowed())]
    if col.kind == CODE:
        return [check("code", lambda s, codes=col.codes: s.isin(codes), col.allowed())]
    if col.kind == FLAG:
        return [check("flag", lambda s: s.isin(FLAG_CODES), col.allowed())]
    if col.kind == DATE:  # the range of a date: the edit checks (khetrial.bundle.checks)
        return [check("date", lambda s: s.map(_is_iso_day).astype(bool),
                      f"{col.name} must be a calendar date written YYYY-MM-DD (ISO 8601)")]
    if col.kind == NUMBER:
        out = [check("number", lambda s: parse_numbers(s).notna(),
                     f"{col.name} must be a number written with . as decimal separator")]
        parse = parse_numbers
    elif col.kind == INTEGER:
        out = [check("integer", lambda s: parse_integers(s).notna(), f"{col.name} must be a whole number")]
        parse = parse_integers
    else:
        return []
    if col.low is not None or col.high is not None:
        out.append(check("range", _in_range(parse, col.low, col.high), col.allowed()))
    return out


def _is_iso_day(cell) -> bool:
    if not isinstance(cell, str) or DATE_PATTERN.fullmatch(cell) is None:
        return False
    try:
        datetime.date.fromisoformat(cell)
    except ValueError:
        return False
    return True


def _in_range(parse, low: float | None, high: float | None):
    """A check that passes values inside [low, high] and values it cannot parse (those fail
    the type check, reported once)."""
    def inside(cells: pd.Series) -> pd.Series:
        values = parse(cells).astype("float64")
        bad = pd.Series(False, index=cells.index)
        if low is not None:
            bad |= (values < low).fillna(False)
        if high is not None:
            bad |= (values > high).fillna(False)
        return ~bad
    return inside


def _lab_in_range(test: str, low: float, high: float):
    def inside(frame: pd.DataFrame) -> pd.Series:
        values = parse_numbers(frame["value"])
        out = (frame["test"] == test) & ((values < low) | (values > high)).fillna(False)
        return ~out.astype(bool)
    return inside


def _failure_problems(spec: TableSpec, raw: RawTable, cases: pd.DataFrame,
                      rules: dict[str, _Rule]) -> list[Problem]:
    """Pandera's failure cases as located problems: one per (check, row, column), the first
    :data:`MAX_PROBLEMS` by line, then one line counting the rest of this file."""
    cases = cases[cases["index"].notna()]  # whole-column failures: the header rules report them
    cases = cases.assign(row=cases["index"].astype("int64"), check=cases["check"].astype(str))
    cases = cases.drop_duplicates(["check", "row", "column"]).sort_values("row", kind="stable")
    problems = []
    seen: set[tuple[str, int, str]] = set()
    for case in cases.itertuples(index=False):
        if len(problems) >= MAX_PROBLEMS:
            break
        column, message = _rule_of(spec, rules, case.check, str(case.column))
        if (case.check, case.row, column) in seen:
            continue
        seen.add((case.check, case.row, column))
        cell = raw.frame.at[case.row, column] if column in raw.frame.columns else None
        problems.append(Problem(spec.file, raw.lines[case.row], column, cell, message))
    rest = len(cases) - len(seen) if len(problems) >= MAX_PROBLEMS else 0
    if rest > 0:
        problems.append(Problem(spec.file, None, None, None,
                                f"about {rest:,} more problems with values of this file not listed "
                                f"(listing stops after {MAX_PROBLEMS:,})"))
    return problems


def _rule_of(spec: TableSpec, rules: dict[str, _Rule], check: str, column: str) -> tuple[str, str]:
    """(column, message) of one failed check."""
    if check == "not_nullable":
        message = f"{column} must not be empty"
        col = spec.column(column)
        if col.kind == CODE:
            message += f"; use one of {', '.join(col.codes)}"
        return column, message
    if check in rules:
        return rules[check].column, rules[check].message
    return column, f"{column} is not valid here"  # a check this module did not name


# --- old csvfile.py: every file through the csv module -------------------------------------------
def legacy_parse_text(file: str, text: str) -> RawTable:
    """Parse CSV ``text`` of the file named ``file`` (see :func:`read_raw`)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    problems: list[Problem] = []
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    previous_end = 0
    try:
        for record in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if not record:
                continue  # blank line
            if header is None:
                header = record
                problems.extend(_header_problems(file, header, start))
                continue
            if len(rows) >= MAX_ROWS:
                problems.append(Problem(file, start, None, None,
                                        f"the file has more than {MAX_ROWS:,} rows (reading "
                                        "limit); reading stopped here"))
                break
            if len(record) != len(header):
                if len(problems) >= MAX_ROW_PROBLEMS:
                    problems.append(Problem(file, start, None, None,
                                            f"more than {MAX_ROW_PROBLEMS:,} rows with a wrong "
                                            "number of cells; reading stopped here"))
                    break
                problems.append(Problem(
                    file, start, None, None,
                    f"the row has {len(record)} cells but the header has {len(header)}; "
                    "every row needs one cell per column (quote cells that contain commas)"))
                continue
            rows.append(record)
            lines.append(start)
    except csv.Error as error:
        problems.append(Problem(file, reader.line_num, None, None,
                                f"the file is not valid CSV ({error}); check the quoting"))
    if header is None:
        if not problems:
            problems.append(Problem(file, 1, None, None,
                                    "the file is empty; expected a header row with the column names"))
        return RawTable(file, [], pd.DataFrame(), [], problems)
    columns = _unique(header)
    frame = pd.DataFrame(
        [[cell if cell != "" else None for cell in row] for row in rows],
        columns=columns, dtype=object,
    ) if rows else pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
    return RawTable(file, columns, frame, lines, problems)
