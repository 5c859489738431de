"""Property: any bundle of valid cells survives write -> read unchanged (values and dtypes)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from khetrial.bundle import TABLE_NAMES, TABLE_SPECS, Bundle, read_bundle, write_bundle
from khetrial.bundle.format import CODE, DATE, FLAG, INTEGER, NUMBER, TEXT

# any text the csv module must quote or keep: commas, quotes, CR, LF, non-ASCII (no NUL, no
# lone surrogates, which UTF-8 cannot hold)
TEXTS = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                min_size=1, max_size=12)


def cell_strategy(column):
    if column.kind == TEXT:
        value = TEXTS
    elif column.kind == CODE:
        value = st.sampled_from(column.codes)
    elif column.kind == DATE:
        value = st.dates(pd.Timestamp("1900-01-01").date(), pd.Timestamp("2199-12-31").date()).map(pd.Timestamp)
    elif column.kind == NUMBER:
        value = st.floats(column.low, column.high, allow_nan=False, allow_infinity=False)
    elif column.kind == INTEGER:
        value = st.integers(int(column.low), int(column.high))
    elif column.kind == FLAG:
        value = st.sampled_from([0, 1])
    return st.one_of(st.none(), value)


@st.composite
def tables(draw, name):
    spec = TABLE_SPECS[name]
    n = draw(st.integers(0, 4))
    data = {col.name: draw(st.lists(cell_strategy(col), min_size=n, max_size=n)) for col in spec.columns}
    if draw(st.booleans()):
        data["site_note"] = draw(st.lists(st.one_of(st.none(), TEXTS), min_size=n, max_size=n))
    return pd.DataFrame(data, dtype=object)


@st.composite
def bundles(draw):
    chosen = draw(st.lists(st.sampled_from(TABLE_NAMES), unique=True, max_size=4))
    return Bundle.from_tables(**{name: draw(tables(name)) for name in chosen})


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bundles())
@example(Bundle.from_tables(body_size=pd.DataFrame(  # an empty extension table, an extra column
    {"patient_id": [], "date": [], "weight_kg": [], "height_cm": [], "site_note": []}, dtype=object)))
def test_random_bundles_round_trip_losslessly(bundle):
    with tempfile.TemporaryDirectory() as folder:
        write_bundle(bundle, Path(folder))
        back = read_bundle(folder, validate=False)
    for name in TABLE_NAMES:
        pd.testing.assert_frame_equal(bundle.tables[name], back.tables[name], check_exact=True)
