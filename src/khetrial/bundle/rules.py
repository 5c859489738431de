"""The per-column rules of a bundle file, run as masks over the columns parsed once.

Required columns and non-empty cells, identifiers, code lists, 0/1 flags, ISO dates, numbers,
whole numbers, plausible ranges and the laboratory ranges by test. Each rule is one boolean
mask over a column (:class:`~khetrial.bundle.parse.ParsedColumn`); the failing cells become
located :class:`~khetrial.errors.Problem`\\ s (file, line as a spreadsheet shows it, column,
the cell as written, what is allowed).

A file's failures are listed by line, at most a limit (the validator's ``MAX_PROBLEMS``), then one line counting
the rest ("about": a failed laboratory range counts once per column of the file, as the
schema library this replaces counted it). Within a line they are taken in the file's column
order, the laboratory ranges first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from khetrial.bundle.csvfile import RawTable
from khetrial.bundle.format import (CODE, DATE, FLAG, INTEGER, LAB_RANGES, NUMBER, ColumnSpec,
                                    RESERVED_IDS, ID_PATTERN, TableSpec, describe_range)
from khetrial.bundle.parse import ParsedColumn, fullmatch
from khetrial.errors import Problem

@dataclass(frozen=True)
class Failure:
    """Rows of a file failing one rule: the column, the sentence to show, and how many
    failure cases each row counts for the closing count."""

    rows: np.ndarray
    column: str
    message: str
    weight: int = 1


def column_problems(spec: TableSpec, raw: RawTable, parsed: dict[str, ParsedColumn],
                    limit: int) -> list[Problem]:
    """Missing required columns, then every failed per-column rule of ``raw`` (at most
    ``limit``, then a line counting the rest)."""
    problems = [Problem(spec.file, 1, col.name, None, missing_column_message(spec, col, raw.header))
                for col in spec.columns if col.required and col.name not in raw.header]
    return problems + _located(spec, raw, rule_failures(spec, raw, parsed), limit)


def missing_column_message(spec: TableSpec, col: ColumnSpec, header: list[str]) -> str:
    near = [name for name in header if name.strip().lower() == col.name]
    if near:
        return (f"required column {col.name} is missing from the header (found {near[0]!r}; "
                "column names are exact, lower case, without spaces)")
    return (f"required column {col.name} is missing from the header; add it "
            f"(columns of {spec.file}: {', '.join(spec.column_names)})")


def rule_failures(spec: TableSpec, raw: RawTable, parsed: dict[str, ParsedColumn]) -> list[Failure]:
    """Every failed rule: the laboratory ranges, then the columns in the file's order."""
    failures = _lab_range_failures(spec, raw, parsed)
    order = {name: i for i, name in enumerate(raw.header)}
    for col in sorted((c for c in spec.columns if c.name in parsed), key=lambda c: order[c.name]):
        failures += _column_failures(col, raw, parsed[col.name])
    return [f for f in failures if len(f.rows)]


def _valid_identifiers(cells: np.ndarray) -> np.ndarray:
    lower = pd.Series(cells, dtype=object).str.lower().isin(RESERVED_IDS).to_numpy()
    return fullmatch(cells, ID_PATTERN) & ~lower


def _column_failures(col: ColumnSpec, raw: RawTable, parsed: ParsedColumn) -> list[Failure]:
    present = parsed.present
    out = []
    if col.required:
        message = f"{col.name} must not be empty"
        if col.kind == CODE:
            message += f"; use one of {', '.join(col.codes)}"
        out.append(Failure(np.flatnonzero(~present), col.name, message))
    if col.identifier:
        if col.name in raw.distinct:  # checked once per distinct cell
            codes, cells = raw.distinct[col.name]
            valid = _valid_identifiers(cells).take(codes)
        else:
            valid = _valid_identifiers(raw.frame[col.name].to_numpy(dtype=object))
        return out + [Failure(np.flatnonzero(present & ~valid), col.name, col.allowed())]
    if col.kind in (CODE, FLAG):
        return out + [Failure(np.flatnonzero(present & ~parsed.readable), col.name, col.allowed())]
    if col.kind == DATE:
        return out + [Failure(np.flatnonzero(present & ~parsed.readable), col.name,
                              f"{col.name} must be a calendar date written YYYY-MM-DD (ISO 8601)")]
    if col.kind == NUMBER:
        kind = f"{col.name} must be a number written with . as decimal separator"
    elif col.kind == INTEGER:
        kind = f"{col.name} must be a whole number"
    else:
        return out
    out.append(Failure(np.flatnonzero(present & ~parsed.readable), col.name, kind))
    if col.low is not None or col.high is not None:
        values = parsed.values.to_numpy(dtype="float64", na_value=np.nan)
        outside = np.zeros(len(values), bool)
        if col.low is not None:
            outside |= values < col.low
        if col.high is not None:
            outside |= values > col.high
        out.append(Failure(np.flatnonzero(outside), col.name, col.allowed()))
    return out


def _lab_range_failures(spec: TableSpec, raw: RawTable,
                        parsed: dict[str, ParsedColumn]) -> list[Failure]:
    if spec.name != "labs" or not {"test", "value"} <= set(raw.header):
        return []
    values = parsed["value"].values.to_numpy()
    out = []
    for test, lab in LAB_RANGES.items():
        outside = _cells_equal(raw, "test", test) & ((values < lab.low) | (values > lab.high))
        out.append(Failure(np.flatnonzero(outside), "value",
                           f"{test} must be {describe_range(lab.low, lab.high, lab.unit)}",
                           weight=len(raw.frame.columns)))
    return out


def _cells_equal(raw: RawTable, column: str, text: str) -> np.ndarray:
    """Which cells of ``column`` are ``text`` (compared once per distinct cell when the file
    has them)."""
    if column in raw.distinct:
        codes, cells = raw.distinct[column]
        return np.isin(codes, np.flatnonzero(cells == text))
    return raw.frame[column].to_numpy(dtype=object) == text


def _located(spec: TableSpec, raw: RawTable, failures: list[Failure], limit: int) -> list[Problem]:
    """The failures as problems by line (a line's in ``failures``' order), the first ``limit``,
    then one line counting the rest of this file."""
    if not failures:
        return []
    rows = np.concatenate([f.rows for f in failures])
    which = np.concatenate([np.full(len(f.rows), i) for i, f in enumerate(failures)])
    order = np.lexsort((which, rows))[:limit]
    problems = []
    for row, i in zip(rows[order].tolist(), which[order].tolist()):
        column = failures[i].column
        problems.append(Problem(spec.file, raw.lines[row], column, raw.frame.at[row, column],
                                failures[i].message))
    if len(problems) >= limit:
        cases = sum(len(f.rows) * f.weight for f in failures)
        rest = cases - len(problems)
        if rest > 0:
            problems.append(Problem(spec.file, None, None, None,
                                    f"about {rest:,} more problems with values of this file not "
                                    f"listed (listing stops after {limit:,})"))
    return problems
