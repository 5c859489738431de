"""Pure column conversions between bundle frames and database values (khetrial.edc.trial.convert)."""

from __future__ import annotations

import datetime
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from khetrial.edc.trial import convert
from khetrial.edc.trial.convert import DATE, from_db_values
from khetrial.errors import DatabaseError


def test_dates_go_in_as_iso_text_and_missing_as_none():
    # ISO 8601 calendar dates, as the bundle format writes them
    dates = pd.Series(pd.to_datetime(["2018-03-07", None, "2020-02-29"]))
    assert convert.to_db_values(dates, convert.DATE, 3) == ["2018-03-07", None, "2020-02-29"]


@pytest.mark.parametrize("raw", [
    ["2018-03-07", None],  # SQLite hands back ISO text
    [pd.Timestamp("2018-03-07").date(), None],  # psycopg hands back datetime.date
])
def test_dates_come_back_as_datetime64_from_either_driver(raw):
    got = convert.from_db_values(raw, convert.DATE)
    assert got.dtype == "datetime64[ns]"
    assert got.iloc[0] == pd.Timestamp("2018-03-07") and pd.isna(got.iloc[1])


def test_missing_text_is_stored_empty_and_read_back_as_missing():
    text = pd.Series(["deep", None, ""], dtype="string")
    assert convert.to_db_values(text, convert.TEXT, 3) == ["deep", "", ""]
    back = convert.from_db_values(["deep", "", None], convert.TEXT)
    assert back.iloc[0] == "deep" and back.iloc[1:].isna().all()


def test_flags_are_booleans_in_the_database_and_0_1_in_the_bundle():
    flags = pd.Series([1, 0, None], dtype="Int64")
    assert convert.to_db_values(flags, convert.BOOL, 3) == [True, False, None]
    # SQLite returns 1/0, PostgreSQL True/False
    assert convert.from_db_values([True, 0, None], convert.BOOL).tolist() == [1, 0, pd.NA]


def test_an_absent_column_is_all_missing():
    assert convert.to_db_values(None, convert.FLOAT, 2) == [None, None]
    assert convert.to_db_values(None, convert.TEXT, 2) == ["", ""]


@given(st.lists(st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False)),
                max_size=20))
def test_numbers_come_back_as_the_same_float(values):
    # the database stores an IEEE double; Python's repr of it is the shortest text that reads
    # back to the same double, so a number written in the CSV comes back as written
    series = pd.Series([np.nan if v is None else v for v in values], dtype="float64")
    stored = convert.to_db_values(series, convert.FLOAT, len(series))
    assert all(v is None or type(v) is float for v in stored)
    back = convert.from_db_values(stored, convert.FLOAT)
    pd.testing.assert_series_equal(back, series.reset_index(drop=True), check_names=False)


def test_extra_columns_keep_every_column_and_missing_cells_as_null():
    frame = pd.DataFrame({"value": [1.0, 2.0], "note": pd.array(["a,\"b\"", None], dtype="string"),
                          "empty": pd.array([None, None], dtype="string")})
    texts = convert.extra_to_json(frame, ["note", "empty"])
    assert [json.loads(t) for t in texts] == [{"note": 'a,"b"', "empty": None},
                                              {"note": None, "empty": None}]
    back = convert.extra_from_json(texts)
    assert list(back.columns) == ["note", "empty"]
    assert back["note"].tolist() == ['a,"b"', pd.NA] and back["empty"].isna().all()


def test_rows_without_extra_columns_store_an_empty_object():
    assert convert.extra_to_json(pd.DataFrame({"a": [1, 2]}), []) == ["{}", "{}"]
    assert convert.extra_from_json(["{}", {}]).shape == (2, 0)


@pytest.mark.parametrize("raw, ok", [
    ("2262-04-11", True), ("2262-04-12", False),  # pandas: Timestamp.max is 2262-04-11
    ("1677-09-22", True), ("1677-09-21", False),  # Timestamp.min is 1677-09-21 00:12:43
    ("2999-01-01", False), (datetime.date(9999, 12, 31), False),  # the wrapped dates
])
def test_a_stored_date_that_would_wrap_on_export_is_refused_not_changed(raw, ok):
    if ok:
        assert from_db_values([raw], DATE).dt.strftime("%Y-%m-%d").tolist() == [str(raw)]
    else:
        with pytest.raises(DatabaseError, match="cannot be exported without changing it"):
            from_db_values([raw], DATE)


# --- COPY cells -------------------------------------------------------------------------------
# PostgreSQL's documentation, COPY, "CSV Format": a NULL is an unquoted empty value, a quoted
# empty string is an empty string, and a quote inside a quoted value is written twice.

@pytest.mark.parametrize("series, kind, cells", [
    (pd.Series(pd.to_datetime(["2018-03-07", None, "2018-03-07"])), convert.DATE,
     ["2018-03-07", "", "2018-03-07"]),
    (pd.Series([45.5, np.nan, 0.1 + 0.2]), convert.FLOAT, ["45.5", "", "0.30000000000000004"]),
    (pd.Series([-0.0, 0.0, 2.0]), convert.FLOAT, ["-0.0", "0.0", "2.0"]),
    (pd.Series([4, None, 0], dtype="Int64"), convert.INT, ["4", "", "0"]),
    (pd.Series([1, None, 0], dtype="Int64"), convert.BOOL, ["t", "", "f"]),
    (pd.Series(['said "ok", then', None, "Zürich\nx"], dtype="string"), convert.TEXT,
     ['"said ""ok"", then"', '""', '"Zürich\nx"']),
    (pd.Series(["BJ", None, "BJ"], dtype="string"), convert.KEY, ['"BJ"', "", '"BJ"']),
    (pd.Series(pd.Categorical(["F", None, "M"])), convert.TEXT, ['"F"', '""', '"M"']),
])
def test_copy_cells_follow_postgresqls_csv_rules(series, kind, cells):
    assert convert.to_copy_cells(series, kind, len(series)).tolist() == cells


def test_an_absent_column_is_empty_text_or_null_in_copy_cells():
    assert convert.to_copy_cells(None, convert.TEXT, 2).tolist() == ['""', '""']
    assert convert.to_copy_cells(None, convert.DATE, 2).tolist() == ["", ""]


@given(st.lists(st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False)),
                max_size=20))
def test_copy_cells_of_numbers_read_back_as_the_same_float(values):
    # float(text) reads as PostgreSQL's float8 input does: the nearest double to the decimal
    series = pd.Series([np.nan if v is None else v for v in values], dtype="float64")
    cells = convert.to_copy_cells(series, convert.FLOAT, len(series))
    back = [None if c == "" else float(c) for c in cells]
    assert back == [None if v is None else v for v in values]
