"""Turning cells into the canonical dtypes of :mod:`khetrial.bundle.format`, and back to text.

Two directions:

- :func:`parse_table` reads the text cells of a CSV file (``None`` = empty). It never fails: a
  cell that cannot be read as its kind becomes missing (the validator reports it first when
  asked to validate).
- :func:`coerce_table` takes a DataFrame a program built (any reasonable dtypes: strings,
  numbers, ``datetime.date``, Timestamps, categoricals, booleans) and returns it in canonical
  form; values it cannot convert are returned as problems (``Bundle.from_tables`` raises them).
- :func:`format_table` writes canonical frames back as text cells.

Dates are calendar dates: a time part given to :func:`coerce_table` is dropped.

Free text (``text`` columns and extra columns) is written with formula escaping
(:func:`khetrial.bundle.csvfile.escape_formula`: a leading ``'`` before ``= + - @``, tab or
carriage return) and read back without it, so that a bundle opened in a spreadsheet runs no
formula and reading what was written gives the same text.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from khetrial.bundle.csvfile import escape_formula
from khetrial.bundle.format import CODE, DATE, FLAG, INTEGER, NUMBER, TEXT, TABLE_SPECS, ColumnSpec
from khetrial.bundle.parse import (DATE_PATTERN, STRING, as_cells, code_values, date_values,
                                   integer_values, number_values, parse_cells, text_values)
from khetrial.errors import Problem

# --- text cells -> canonical (one vectorised pass per column: khetrial.bundle.parse) ---------
def parse_dates(cells: pd.Series) -> pd.Series:
    """ISO ``YYYY-MM-DD`` text -> ``datetime64[ns]``; anything else -> NaT."""
    values, _, _ = date_values(as_cells(cells))
    return values.set_axis(cells.index)


def parse_numbers(cells: pd.Series) -> pd.Series:
    """Decimal text -> float64; anything else (and non-finite values) -> NaN."""
    values, _ = number_values(as_cells(cells))
    return pd.Series(values, index=cells.index)


def parse_integers(cells: pd.Series) -> pd.Series:
    """Whole-number text -> Int64; anything else -> <NA>."""
    values, _ = integer_values(as_cells(cells))
    return values.set_axis(cells.index)


def parse_column(cells: pd.Series, spec: ColumnSpec) -> pd.Series:
    """Text cells of one column -> the column's canonical dtype (unreadable -> missing)."""
    return parse_cells(cells, spec).values.set_axis(cells.index)


def read_text(cells: pd.Series) -> pd.Series:
    """Text cells of a file -> ``"string"``, formula escaping removed."""
    return text_values(as_cells(cells)).set_axis(cells.index)


def to_codes(values: pd.Series, spec: ColumnSpec) -> pd.Series:
    """Values -> categorical with the spec's code list; a value outside the list -> missing."""
    return code_values(as_cells(values), spec).set_axis(values.index)


def parsed_table(name: str, columns: dict[str, pd.Series], raw: pd.DataFrame) -> pd.DataFrame:
    """The canonical frame of ``<name>.csv`` from its spec columns already parsed
    (``columns``; absent ones all-missing) and the text cells ``raw`` (extra columns)."""
    spec = TABLE_SPECS[name]
    n = len(raw)
    out = {}
    for col in spec.columns:
        out[col.name] = (columns[col.name] if col.name in columns
                         else parse_column(pd.Series([None] * n, dtype=object), col))
    for extra in raw.columns:
        if extra not in out:
            out[extra] = read_text(raw[extra].reset_index(drop=True))
    return pd.DataFrame(out, index=pd.RangeIndex(n))


def parse_table(name: str, raw: pd.DataFrame) -> pd.DataFrame:
    """A frame of text cells of ``<name>.csv`` -> canonical frame: spec columns in spec order
    (absent ones all-missing), then extra columns as ``"string"`` in file order."""
    spec = TABLE_SPECS[name]
    columns = {col.name: parse_column(raw[col.name].reset_index(drop=True), col)
               for col in spec.columns if col.name in raw.columns}
    return parsed_table(name, columns, raw)


def empty_table(name: str) -> pd.DataFrame:
    """A table with no rows and every spec column in its canonical dtype."""
    return parse_table(name, pd.DataFrame())


# --- program frames -> canonical -------------------------------------------------------------
def coerce_table(name: str, frame: pd.DataFrame | None) -> tuple[pd.DataFrame, list[Problem]]:
    """Any DataFrame (or ``None`` = no records) -> (canonical frame, problems)."""
    if frame is None:
        return empty_table(name), []
    spec = TABLE_SPECS[name]
    frame = frame.reset_index(drop=True)
    n = len(frame)
    out: dict[str, pd.Series] = {}
    problems: list[Problem] = []
    for col in spec.columns:
        if col.name not in frame.columns:
            out[col.name] = parse_column(pd.Series([None] * n, dtype=object), col)
            continue
        values, bad = _coerce_column(frame[col.name], col)
        out[col.name] = values
        for i in np.flatnonzero(bad):
            problems.append(Problem(spec.file, int(i) + 2, col.name, str(frame[col.name].iloc[i]),
                                    f"cannot be read as {_KIND_WORDS[col.kind]}"
                                    + (f"; {col.allowed()}" if col.kind == CODE else "")))
    for extra in frame.columns:
        if extra not in out:
            out[str(extra)] = _blank_to_na(frame[extra].astype(object)).astype(STRING)
    return pd.DataFrame(out, index=pd.RangeIndex(n)), problems


_KIND_WORDS = {TEXT: "text", CODE: "a code", DATE: "a calendar date",
               NUMBER: "a finite number", INTEGER: "a whole number", FLAG: "a whole number 0 or 1"}


def _blank_to_na(values: pd.Series) -> pd.Series:
    return values.map(lambda v: None if (isinstance(v, str) and v == "") or _isna(v) else v)


def _isna(v) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _coerce_column(values: pd.Series, col: ColumnSpec) -> tuple[pd.Series, np.ndarray]:
    """(canonical series, boolean array of given values that could not be converted)."""
    given = _blank_to_na(values.astype(object))
    present = given.notna().to_numpy()
    if col.kind == TEXT:
        return given.map(_text_or_none).astype(STRING), np.zeros(len(given), bool)
    if col.kind == CODE:
        out = to_codes(given.map(_text_or_none), col)
        return out, present & out.isna().to_numpy()
    if col.kind == DATE:
        if pd.api.types.is_datetime64_any_dtype(values.dtype):
            out = values.dt.tz_localize(None) if getattr(values.dt, "tz", None) else values
            out = out.dt.normalize().astype("datetime64[ns]")
        else:
            out = pd.Series([_to_timestamp(v) for v in given], dtype="datetime64[ns]")
        return out, present & out.isna().to_numpy()
    numbers = pd.to_numeric(given.map(_number_or_text), errors="coerce").astype("float64")
    numbers = numbers.where(np.isfinite(numbers))
    if col.kind == NUMBER:
        return numbers, present & numbers.isna().to_numpy()
    whole = numbers.notna() & (numbers == np.round(numbers)) & (numbers.abs() < 1e15)
    out = numbers.where(whole).astype("Int64")
    return out, present & out.isna().to_numpy()


def _text_or_none(v):
    # Series.map may hand back NaN where the mapped function returned None (pandas 3).
    return None if v is None or _isna(v) else str(v)


def _number_or_text(v):
    if isinstance(v, (bool, np.bool_)):
        return int(v)
    return v


def _to_timestamp(v) -> pd.Timestamp:
    if v is None or _isna(v):
        return pd.NaT
    try:
        if isinstance(v, str):
            if DATE_PATTERN.fullmatch(v) is None:
                return pd.NaT
            ts = pd.Timestamp(v)
        else:
            ts = pd.Timestamp(v)
        if pd.isna(ts):
            return pd.NaT
        if ts.tzinfo is not None:
            ts = ts.tz_localize(None)
        return ts.normalize()
    except (ValueError, TypeError, OverflowError):
        return pd.NaT


# --- canonical -> text cells -----------------------------------------------------------------
def format_column(values: pd.Series) -> list[str]:
    """Canonical values as CSV text: floats in the shortest repr that round-trips, dates ISO,
    missing as an empty cell. Each distinct value is formatted once (a column of two million
    cells has a few thousand distinct values)."""
    distinct = _distinct(values)
    if distinct is None:
        return _format_cells(values)
    codes, uniques = distinct
    return np.array(_format_cells(uniques) + [""], dtype=object)[codes].tolist()


def _distinct(values: pd.Series) -> tuple[np.ndarray, pd.Series] | None:
    """``(codes, distinct values)`` of ``values`` (code -1: missing), or ``None`` where
    ``pandas.factorize`` could merge values that are written differently: ``-0.0`` with
    ``0.0``, and texts at a NUL character (its C string table stops there)."""
    if pd.api.types.is_float_dtype(values.dtype):
        numbers = values.to_numpy(dtype="float64", na_value=np.nan)
        if (np.signbit(numbers) & (numbers == 0)).any():
            return None
    elif values.dtype == object or isinstance(values.dtype, pd.StringDtype):
        try:
            if "\0" in "".join(values.dropna().to_numpy(dtype=object)):
                return None
        except TypeError:  # not all text
            return None
    codes, uniques = pd.factorize(values)
    return codes, pd.Series(uniques)


def _format_cells(values: pd.Series) -> list[str]:
    """:func:`format_column`, cell by cell."""
    dtype = values.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype):
        text = values.dt.strftime("%Y-%m-%d")
        return [("" if pd.isna(t) else t) for t in text]
    if pd.api.types.is_float_dtype(dtype):
        return [_format_float(v) for v in values.to_numpy(dtype="float64")]
    if str(dtype) == "Int64":
        return ["" if v is pd.NA else str(int(v)) for v in values]
    if isinstance(dtype, pd.StringDtype):  # free text: formula escaping
        return ["" if _isna(v) else escape_formula(str(v)) for v in values.astype(object)]
    return ["" if _isna(v) else str(v) for v in values.astype(object)]


def _format_float(v: float) -> str:
    """Shortest text that reads back as ``v``: ``2.64``, ``18`` (not ``18.0``), ``1e-05``."""
    if np.isnan(v):
        return ""
    if not math.isfinite(v):
        return repr(float(v))  # not a bundle value: validation will say so on reading
    if v == int(v) and abs(v) < 1e15 and not (v == 0 and np.signbit(v)):
        return str(int(v))
    return repr(float(v))


def format_table(frame: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    """(header, rows of text cells) of a canonical frame."""
    header, columns = format_columns(frame)
    return header, [list(row) for row in zip(*columns)] if columns else []


def format_columns(frame: pd.DataFrame) -> tuple[list[str], list[list[str]]]:
    """(header, columns of text cells) of a canonical frame: :func:`format_table` without
    making a list per row (``zip(*columns)`` gives the rows one at a time)."""
    return [str(c) for c in frame.columns], [format_column(frame[c]) for c in frame.columns]
