"""Text cells of a bundle file parsed once per column, in vectorised passes.

Every cell of a column is read once into what both the validator and the canonical
:class:`~khetrial.bundle.model.Bundle` need (:class:`ParsedColumn`): the canonical values,
whether each cell is readable as its kind, and for dates the day as written (which the edit
checks see even where the canonical ``datetime64[ns]`` cannot hold it, e.g. ``2999-01-01``).

The rules are those of the cell-by-cell readers they replace, to the cell:

- a number is text matching :data:`NUMBER_PATTERN`, read by Python's ``float`` (NumPy's cast
  of an object array calls it), non-finite values missing;
- a whole number matches :data:`INTEGER_PATTERN`, read by ``int``;
- a date matches :data:`DATE_PATTERN` and is a calendar day (``datetime.date.fromisoformat``);
  ASCII ``YYYY-MM-DD`` cells (all of a valid bundle) are checked with integer arithmetic on
  their bytes; the rare others (other digits, other ISO forms the edit checks still read as a
  day) cell by cell with the same standard-library calls;
- a code is one of the column's code list (a categorical of that list).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from khetrial.bundle.csvfile import unescape_formula
from khetrial.bundle.format import CODE, DATE, FLAG, FLAG_CODES, NUMBER, TEXT, ColumnSpec

DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")
NUMBER_PATTERN = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
INTEGER_PATTERN = re.compile(r"[+-]?\d{1,15}")
ASCII_DATE_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
STRING = pd.StringDtype()
NAT = np.datetime64("NaT", "D")
DATE_YEARS = (1678, 2261)  # the years datetime64[ns] holds whole
_ZERO = ord("0")


@dataclass(frozen=True)
class ParsedColumn:
    """One column of text cells, read once.

    ``values``: the canonical series; ``present``: the cell is not empty; ``readable``: the
    cell is readable as the column's kind (numbers, whole numbers, ISO dates, codes, flags;
    always ``present`` for text); ``days``: for a date column the day as written
    (``datetime64[D]``, NaT when empty or not a day), else ``None``.
    """

    values: pd.Series
    present: np.ndarray
    readable: np.ndarray
    days: np.ndarray | None = None

    def take(self, rows: np.ndarray) -> ParsedColumn:
        """The column of the cells ``rows`` (indices into this one's cells)."""
        return ParsedColumn(pd.Series(self.values.array.take(rows)), self.present.take(rows),
                            self.readable.take(rows),
                            None if self.days is None else self.days.take(rows))


def as_cells(cells) -> np.ndarray:
    """A column of cells as a 1-d object array."""
    if isinstance(cells, pd.Series):
        return cells.to_numpy(dtype=object)
    return np.asarray(cells, dtype=object).reshape(-1)


def is_text(cells: np.ndarray) -> np.ndarray:
    """Which cells are ``str`` (one C pass when every non-missing cell is, as in a file)."""
    present = ~pd.isna(cells)
    if pd.api.types.infer_dtype(cells[present], skipna=False) in ("string", "empty"):
        return present
    return np.fromiter((isinstance(v, str) for v in cells), bool, len(cells))


_JOINED: dict[re.Pattern, re.Pattern] = {}


def fullmatch(cells: np.ndarray, pattern: re.Pattern) -> np.ndarray:
    """Which cells are ``str`` matching ``pattern`` whole.

    First one match of the cells joined by newlines (which the patterns never match): when
    every text cell matches, that is the answer; otherwise cell by cell."""
    text = is_text(cells)
    cells_text = cells[text]
    joined = "\n".join(cells_text)
    if len(cells_text) and joined.count("\n") == len(cells_text) - 1:
        if pattern not in _JOINED:
            _JOINED[pattern] = re.compile(f"(?:{pattern.pattern})(?:\n(?:{pattern.pattern}))*")
        if _JOINED[pattern].fullmatch(joined) is not None:
            return text
    match = pattern.fullmatch
    return np.fromiter((isinstance(v, str) and match(v) is not None for v in cells), bool,
                       len(cells))


# --- numbers -------------------------------------------------------------------------------
_NUMBER_CHARACTERS = re.compile(r"[0-9.eE+\-\n]*")


def _all_numbers(cells: np.ndarray, text: np.ndarray) -> bool:
    """Whether every text cell matches :data:`NUMBER_PATTERN`, in two C passes: only the
    characters ``0-9 . e E + -`` (over which ``float`` reads exactly what the pattern
    matches) and ``float`` reading them all."""
    joined = "\n".join(cells[text])
    if joined.count("\n") != text.sum() - 1 or _NUMBER_CHARACTERS.fullmatch(joined) is None:
        return False
    try:
        cells[text].astype("float64")
    except (ValueError, TypeError):
        return False
    return True


def number_values(cells: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(float64 values, readable mask): decimal text -> float, anything else NaN."""
    values = np.full(len(cells), np.nan)
    text = is_text(cells)
    match = text if text.any() and _all_numbers(cells, text) else fullmatch(cells, NUMBER_PATTERN)
    if match.any():
        values[match] = cells[match].astype("float64")  # float(str) per cell, in C
    values[~np.isfinite(values)] = np.nan
    return values, ~np.isnan(values)


def integer_values(cells: np.ndarray) -> tuple[pd.Series, np.ndarray]:
    """(Int64 values, readable mask): whole-number text -> int, anything else <NA>."""
    match = fullmatch(cells, INTEGER_PATTERN)
    data = np.zeros(len(cells), dtype="int64")
    if match.any():
        data[match] = cells[match].astype("int64")  # int(str) per cell, in C
    return pd.Series(pd.arrays.IntegerArray(data, ~match)), match


# --- dates ---------------------------------------------------------------------------------
def _ascii_days(text: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Days of ASCII ``YYYY-MM-DD`` cells (datetime64[D]) and which are calendar days."""
    digits = (np.array(text, dtype="S10").view(np.uint8).reshape(-1, 10).astype("int64")
              - _ZERO)
    year = digits[:, 0] * 1000 + digits[:, 1] * 100 + digits[:, 2] * 10 + digits[:, 3]
    month = digits[:, 5] * 10 + digits[:, 6]
    day = digits[:, 8] * 10 + digits[:, 9]
    ok = (year >= 1) & (month >= 1) & (month <= 12)
    first = ((year - 1970) * 12 + np.where(ok, month, 1) - 1).astype("datetime64[M]")
    length = ((first + 1).astype("datetime64[D]") - first.astype("datetime64[D]")).astype("int64")
    ok &= (day >= 1) & (day <= length)
    days = first.astype("datetime64[D]") + (day - 1).astype("timedelta64[D]")
    return np.where(ok, days, NAT), ok


def _ascii_date_cells(cells: np.ndarray) -> np.ndarray:
    """Which cells match :data:`ASCII_DATE_PATTERN` (bytes compared in NumPy when every text
    cell has 10 ASCII characters, else cell by cell)."""
    text = is_text(cells)
    joined = "\n".join(cells[text])
    if text.any() and len(joined) == 11 * text.sum() - 1 and joined.isascii():
        table = np.frombuffer(joined.encode("ascii") + b"\n", np.uint8).reshape(-1, 11)
        digits = (table[:, [0, 1, 2, 3, 5, 6, 8, 9]] - _ZERO) <= 9  # uint8: below "0" wraps
        shape = (table[:, 4] == ord("-")) & (table[:, 7] == ord("-")) & (table[:, 10] == ord("\n"))
        out = np.zeros(len(cells), bool)
        out[text] = digits.all(axis=1) & shape
        return out
    return fullmatch(cells, ASCII_DATE_PATTERN)


def _fromiso(cell) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(cell)
    except ValueError:
        return None


def date_values(cells: np.ndarray) -> tuple[pd.Series, np.ndarray, np.ndarray]:
    """(datetime64[ns] values, readable mask, days as written) of date cells.

    Readable: ``YYYY-MM-DD`` and a calendar day. Values: readable days in the years
    :data:`DATE_YEARS` (others NaT). Days as written: what ``date.fromisoformat`` reads (it
    reads a few other ISO forms, e.g. ``20180105``; the edit checks check those days too)."""
    n = len(cells)
    days = np.full(n, NAT)
    readable = np.zeros(n, bool)
    fast = _ascii_date_cells(cells)
    if fast.any():
        days[fast], readable[fast] = _ascii_days(cells[fast].tolist())
    for i in np.flatnonzero(~fast & is_text(cells)):  # rare: not ASCII YYYY-MM-DD
        day = _fromiso(cells[i])
        if day is not None:
            days[i] = np.datetime64(day, "D")
            readable[i] = DATE_PATTERN.fullmatch(cells[i]) is not None
    years = days.astype("datetime64[Y]").astype("int64") + 1970
    storable = readable & (years >= DATE_YEARS[0]) & (years <= DATE_YEARS[1])
    values = np.where(storable, days, NAT).astype("datetime64[ns]")
    return pd.Series(values), readable, days


# --- text and codes ------------------------------------------------------------------------
def text_values(cells: np.ndarray) -> pd.Series:
    """Text cells -> ``"string"``, formula escaping removed (non-text cells missing)."""
    text = is_text(cells)
    out = np.where(text, cells, None)
    if "'" in "".join(out[text]):
        for i in np.flatnonzero(text):
            out[i] = unescape_formula(out[i])
    return pd.Series(out, dtype=object).astype(STRING)


def code_values(cells: np.ndarray, spec: ColumnSpec) -> pd.Series:
    """Values -> categorical with the spec's code list; a value outside it -> missing."""
    known = np.where(is_text(cells), cells, None)
    return pd.Series(pd.Categorical(known, dtype=spec.dtype))


# --- one column ----------------------------------------------------------------------------
def parse_cells(cells, spec: ColumnSpec) -> ParsedColumn:
    """Text cells (``None`` = empty) of the column ``spec``, read once (see the module)."""
    cells = as_cells(cells)
    present = ~pd.isna(cells)
    if spec.kind == TEXT:
        return ParsedColumn(text_values(cells), present, present)
    if spec.kind == CODE:
        values = code_values(cells, spec)
        return ParsedColumn(values, present, values.notna().to_numpy())
    if spec.kind == DATE:
        values, readable, days = date_values(cells)
        return ParsedColumn(values, present, readable, days)
    if spec.kind == NUMBER:
        numbers, readable = number_values(cells)
        return ParsedColumn(pd.Series(numbers), present, readable)
    values, readable = integer_values(cells)  # INTEGER, FLAG
    if spec.kind == FLAG:
        readable = present & pd.Series(cells, dtype=object).isin(FLAG_CODES).to_numpy()
    return ParsedColumn(values, present, readable)
