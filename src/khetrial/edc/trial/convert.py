"""Pure conversions between bundle columns (pandas) and database column values.

No Django here: :mod:`khetrial.edc.store` asks the models which columns exist and of which kind,
and these functions turn a whole column at a time into plain Python values a database driver
accepts (``None`` for missing), and back. Text is stored as ``""`` when missing; dates as ISO
strings (``2018-03-07``) on the way in; flags as booleans; numbers as Python floats, whose
``repr`` gives back exactly the decimal written in the CSV.

:func:`to_copy_cells` gives the same values as cells of PostgreSQL's ``COPY ... (FORMAT csv)``
(a NULL is an empty unquoted cell, text is always quoted, so ``""`` is an empty text), built a
column at a time: each distinct value is formatted once (:func:`pandas.factorize`), so a
column of two million dates or test names costs a few table look-ups, not two million calls.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import numpy as np
import pandas as pd

from khetrial.errors import DatabaseError

# Kinds of column, named after what the database stores.
DATE, FLOAT, INT, BOOL, TEXT, KEY = "date", "float", "int", "bool", "text", "key"
EMPTY_EXTRA = "{}"
#: The days a bundle column (datetime64[ns]) holds; a later or earlier one would wrap around.
EXPORTABLE_DAYS = (np.datetime64("1677-09-22", "D"), np.datetime64("2262-04-11", "D"))


def to_db_values(series: pd.Series | None, kind: str, n: int) -> list:
    """One bundle column as database values (``None`` = missing); ``series=None`` = absent column."""
    if series is None:
        return ["" if kind == TEXT else None] * n
    if kind == DATE:
        days = _days(series)
        text = days.astype(str).astype(object)
        text[np.isnat(days)] = None
        return text.tolist()
    if kind == FLOAT:
        return pd.to_numeric(series).astype("float64").to_numpy(dtype=object, na_value=None).tolist()
    if kind == INT:
        return pd.to_numeric(series).astype("Int64").to_numpy(dtype=object, na_value=None).tolist()
    if kind == BOOL:
        ints = pd.to_numeric(series).astype("Int64")
        return [None if v is None else bool(v) for v in ints.to_numpy(dtype=object, na_value=None)]
    if kind == TEXT:
        return series.astype("string").fillna("").to_numpy(dtype=object).tolist()
    if kind == KEY:
        return series.astype("string").to_numpy(dtype=object, na_value=None).tolist()
    raise ValueError(f"unknown column kind {kind!r}")


def to_copy_cells(series: pd.Series | None, kind: str, n: int) -> np.ndarray:
    """One bundle column as ``COPY`` CSV cells (an object array of ``str``), the same values
    as :func:`to_db_values`: missing text is ``""`` (an empty text), any other missing value
    an empty cell (NULL)."""
    if series is None:
        return np.full(n, quote_cells(np.array([""], dtype=object))[0] if kind == TEXT else "",
                       dtype=object)
    if kind == DATE:
        days = _days(series)
        codes, uniques = pd.factorize(days)
        texts = np.datetime_as_string(np.asarray(uniques, dtype="datetime64[D]"), unit="D")
        return _take(codes, texts.astype(object))
    if kind == FLOAT:
        values = pd.to_numeric(series).astype("float64").to_numpy()
        if (np.signbit(values) & (values == 0)).any():  # factorize would merge -0.0 with 0.0
            return np.array([repr(v) if v == v else "" for v in values.tolist()], dtype=object)
        codes, uniques = pd.factorize(values)
        return _take(codes, np.array([repr(v) for v in uniques.tolist()], dtype=object))
    if kind in (INT, BOOL):
        codes, uniques = pd.factorize(pd.to_numeric(series).astype("Int64"))
        show = (lambda v: "t" if v else "f") if kind == BOOL else str
        return _take(codes, np.array([show(int(v)) for v in uniques], dtype=object))
    if kind in (TEXT, KEY):
        text = series.astype("string")
        codes, uniques = pd.factorize(text.fillna("") if kind == TEXT else text)
        return _take(codes, quote_cells(np.asarray(uniques, dtype=object)))
    raise ValueError(f"unknown column kind {kind!r}")


def _days(series: pd.Series) -> np.ndarray:
    """A date column as ``datetime64[D]`` (a bundle's is ``datetime64[ns]`` already, which
    :func:`pandas.to_datetime` would still scan value by value)."""
    if not pd.api.types.is_datetime64_dtype(series.dtype):
        series = pd.to_datetime(series)
    return series.to_numpy().astype("datetime64[D]")


def quote_cells(texts: np.ndarray) -> np.ndarray:
    """Texts as quoted CSV cells (``a"b`` -> ``"a""b"``): a quoted cell is never NULL nor
    the end-of-data marker, and may hold commas and newlines."""
    return np.array(['"' + t.replace('"', '""') + '"' for t in texts.tolist()], dtype=object)


def _take(codes: np.ndarray, cells: np.ndarray) -> np.ndarray:
    """``cells[codes]``, with the code -1 (missing) as an empty cell (NULL)."""
    return np.append(cells, "")[codes]


def from_db_values(values: Sequence, kind: str) -> pd.Series:
    """Database values of one column (any driver's types) as a bundle column."""
    if kind == DATE:
        # ISO text (SQLite) or dates (psycopg), each distinct one converted once
        codes, uniques = pd.factorize(np.asarray(values, dtype=object).reshape(-1))
        days = np.append(np.array(uniques.tolist(), dtype="datetime64[D]"),
                         np.datetime64("NaT", "D"))[codes]
        outside = ~np.isnat(days) & ((days < EXPORTABLE_DAYS[0]) | (days > EXPORTABLE_DAYS[1]))
        if outside.any():
            raise DatabaseError(f"a stored date {days[outside][0]} is outside "
                                f"{EXPORTABLE_DAYS[0]} … {EXPORTABLE_DAYS[1]} and cannot be "
                                "exported without changing it; correct the record (dates must "
                                "be 1990-01-01 … today)")
        return pd.Series(days.astype("datetime64[ns]"))
    if kind == FLOAT:
        return pd.Series(np.array(values, dtype="float64"))
    if kind in (INT, BOOL):
        return pd.Series(pd.array(list(values), dtype="Int64"))  # a flag: True -> 1
    if kind in (TEXT, KEY):
        series = pd.Series(list(values), dtype="object")
        return series.where(series.notna() & (series != ""), None).astype("string")
    raise ValueError(f"unknown column kind {kind!r}")


def extra_to_json(frame: pd.DataFrame, columns: Sequence[str]) -> list[str]:
    """Each row's extra columns as a JSON object text (``{}`` when there are none).

    Every extra column is kept, a missing cell as ``null``, so that a column that is empty in
    every row still comes back on export.
    """
    if not columns:
        return [EMPTY_EXTRA] * len(frame)
    text = frame[list(columns)].astype("string").astype(object)
    text = text.where(text.notna(), None)
    names = list(columns)
    return [json.dumps(dict(zip(names, row)), ensure_ascii=False)
            for row in text.itertuples(index=False, name=None)]


def extra_from_json(values: Sequence) -> pd.DataFrame:
    """The extra columns of exported rows (JSON texts or already-decoded dicts), as text.

    Columns come in the order of first appearance (PostgreSQL's ``jsonb`` keeps keys sorted,
    so the order there is by key length, then name; a bundle's column order is free).
    """
    if not any(v and v != EMPTY_EXTRA for v in values):  # no row has extra columns
        return pd.DataFrame(index=range(len(values)))
    rows = [_decode(v) for v in values]
    names: dict[str, None] = {}
    for row in rows:
        for key in row:
            names.setdefault(key, None)
    if not names:
        return pd.DataFrame(index=range(len(rows)))
    frame = pd.DataFrame.from_records(rows, columns=list(names))
    return frame.astype(object).where(frame.notna(), None).astype("string")


def _decode(value) -> dict:
    if value is None or value == EMPTY_EXTRA:
        return {}
    if isinstance(value, (bytes, str)):
        return json.loads(value)
    return dict(value)
