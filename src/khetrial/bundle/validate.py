"""Checking a bundle folder against every rule of the format, reporting every problem at once.

Three layers, all run before anything is raised:

1. the files themselves (:mod:`khetrial.bundle.csvfile`): required files present, readable,
   UTF-8, a header row, unique column names, one cell per column in every row;
2. per-column rules, as pandera schemas built from :data:`~khetrial.bundle.format.TABLE_SPECS`
   and run lazily on the text cells: required columns and non-empty cells, ISO dates, numbers,
   whole numbers, code lists, plausible ranges (laboratory values by test);
3. rules across rows and files (:mod:`khetrial.bundle.crosscheck`): one row per patient,
   known ``patient_id``\\ s, end dates not before start dates, unique ``screening_id``,
   disposition reason against status, a dose unit for every dose;
4. the edit checks of each row (:mod:`khetrial.bundle.checks`), the same the EDC's forms and
   API apply: identifiers, plausible dates (none after ``today`` when it is given), no date
   before the birth date, study data before randomization only in the plan's windows, dose
   maxima by unit.

Reading is bounded (:data:`~khetrial.bundle.csvfile.MAX_FILE_BYTES`,
:data:`~khetrial.bundle.csvfile.MAX_ROWS`), and at most :data:`MAX_PROBLEMS` problems are
listed, followed by the count of the rest.

Pandera's failure cases are translated into :class:`~khetrial.errors.Problem`\\ s (file, line
as a spreadsheet shows it, column, the cell as written, what is allowed); pandera's own
messages never reach users.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from khetrial.bundle.checks import PatientDates, identifier_problem, row_findings
from khetrial.bundle.coerce import DATE_PATTERN, parse_integers, parse_numbers
from khetrial.bundle.crosscheck import cross_file_problems
from khetrial.bundle.csvfile import RawTable
from khetrial.bundle.format import (CODE, DATE, FLAG, FLAG_CODES, INTEGER, LAB_RANGES, NUMBER,
                                    TABLE_NAMES, TABLE_SPECS, ColumnSpec, TableSpec, describe_range)
from khetrial.bundle.folder import bundle_from_raw, read_raw_tables
from khetrial.bundle.model import Bundle
from khetrial.errors import BundleError, Problem


@dataclass(frozen=True)
class _Rule:
    """What a named pandera check means: the column it is about and the sentence to show."""

    column: str
    message: str


#: Problems listed at most; the rest are counted in one closing line (issue 16: a 74 MB
#: invalid file must not take minutes and gigabytes to report).
MAX_PROBLEMS = 1000


def validate_bundle(path: str | Path, *, today: datetime.date | None = None) -> Bundle:
    """Read the bundle folder ``path`` after checking every rule of the format.

    ``today`` (given by the caller; the CLI gives the real date) refuses dates after it;
    without it only dates that can never be stored (after 2262-04-11) are refused.

    Raises one :class:`BundleError` whose ``problems`` list every problem found in every file,
    in file order (:data:`TABLE_NAMES`), then line, then column (at most
    :data:`MAX_PROBLEMS`, then a line counting the rest).
    """
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
