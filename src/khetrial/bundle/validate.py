"""Checking a bundle folder against every rule of the format, reporting every problem at once.

Three layers, all run before anything is raised:

1. the files themselves (:mod:`khetrial.bundle.csvfile`): required files present, readable,
   UTF-8, a header row, unique column names, one cell per column in every row;
2. per-column rules, as pandera schemas built from :data:`~khetrial.bundle.format.TABLE_SPECS`
   and run lazily on the text cells: required columns and non-empty cells, ISO dates, numbers,
   whole numbers, code lists, plausible ranges (laboratory values by test);
3. rules across rows and files (:mod:`khetrial.bundle.crosscheck`): one row per patient,
   known ``patient_id``\\ s, end dates not before start dates, unique ``screening_id``,
   disposition reason against status, a dose unit for every dose.

Pandera's failure cases are translated into :class:`~khetrial.errors.Problem`\\ s (file, line
as a spreadsheet shows it, column, the cell as written, what is allowed); pandera's own
messages never reach users.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from khetrial.bundle.coerce import parse_dates, parse_integers, parse_numbers
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


def validate_bundle(path: str | Path) -> Bundle:
    """Read the bundle folder ``path`` after checking every rule of the format.

    Raises one :class:`BundleError` whose ``problems`` list every problem found in every file,
    in file order (:data:`TABLE_NAMES`), then line, then column.
    """
    path = Path(path)
    raws, problems = read_raw_tables(path)
    for name, raw in raws.items():
        if raw is not None and raw.header:
            problems.extend(column_problems(TABLE_SPECS[name], raw))
    bundle = bundle_from_raw(raws, path)
    problems.extend(cross_file_problems(bundle, raws))
    if problems:
        raise BundleError(sort_problems(problems, raws), source=str(path))
    return bundle


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

    if col.kind == CODE:
        return [check("code", lambda s, codes=col.codes: s.isin(codes), col.allowed())]
    if col.kind == FLAG:
        return [check("flag", lambda s: s.isin(FLAG_CODES), col.allowed())]
    if col.kind == DATE:
        return [check("date", lambda s: parse_dates(s).notna(),
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
    problems = []
    seen: set[tuple[str, int]] = set()
    for case in cases.itertuples(index=False):
        index = case.index
        if index is None or (isinstance(index, float) and np.isnan(index)):
            continue  # whole-column failures: the header rules above report them
        row = int(index)
        check = str(case.check)
        if check == "not_nullable":
            column = str(case.column)
            message = f"{column} must not be empty"
            col = spec.column(column)
            if col.kind == CODE:
                message += f"; use one of {', '.join(col.codes)}"
        elif check in rules:
            column, message = rules[check].column, rules[check].message
        else:  # a pandera check this module did not name: still a located problem
            column, message = str(case.column), f"{case.column} is not valid here"
        if (check, row, column) in seen:
            continue
        seen.add((check, row, column))
        cell = raw.frame.at[row, column] if column in raw.frame.columns else None
        problems.append(Problem(spec.file, raw.lines[row], column, cell, message))
    return problems
