"""Small hand-made bundles for the derivation tests.

``make_bundle(patients=..., labs=..., ...)`` takes each table as short CSV text. To keep the
hand computations in the tests readable, a table may give *study days* instead of dates: a
column ``day`` (``start_day``, ``end_day``, ``onset_day``) becomes ``date`` (``start_date``, ...)
= the patient's randomization date + that many days. Patients default to randomization on
2020-01-01. Tables get the dtypes of ``khetrial.bundle`` (text "string", dates datetime64,
numbers float64, integer codes Int64, code lists categorical) through ``Bundle.from_tables``,
and keep their row (file) order.
"""

from __future__ import annotations

import io
from textwrap import dedent

import pandas as pd
import pytest

DAY0 = "2020-01-01"
DAY_COLUMNS = {"day": "date", "start_day": "start_date", "end_day": "end_date", "onset_day": "onset_date"}
DATE_COLUMNS = {"date", "birth_date", "randomization_date", "kmp_onset_date", "start_date",
                "end_date", "onset_date"}
NUMBER_COLUMNS = {"value", "lesion_volume_ml", "weight_kg", "height_cm", "dose", "sirolimus_trough_ng_ml"}
INTEGER_COLUMNS = {"response", "grade", "present", "serious", "related", "biopsy", "eligible"}
TABLES = ("patients", "labs", "drug_levels", "medications", "mri", "qol", "adverse_events",
          "transfusions", "sequelae", "disposition", "screening")
PATIENT_DEFAULTS = {"site_id": "C1", "sex": "F", "birth_date": "2019-01-01", "randomization_date": DAY0,
                    "weight_kg": "8", "height_cm": "70", "lesion_depth": "deep",
                    "lesion_site": "trunk", "kmp_onset_date": "2019-12-01", "biopsy": "1"}


def read_table(text: str, day0: dict[str, pd.Timestamp] | None = None) -> pd.DataFrame:
    raw = pd.read_csv(io.StringIO(dedent(text).strip() + "\n"), dtype=str, keep_default_na=False,
                      skipinitialspace=True)
    raw.columns = [c.strip() for c in raw.columns]
    table = pd.DataFrame(index=raw.index)
    for column in raw.columns:
        text_values = raw[column].str.strip().replace("", None)
        if column in DAY_COLUMNS:
            days = pd.to_numeric(text_values)
            start = raw["patient_id"].str.strip().map(day0)
            table[DAY_COLUMNS[column]] = (start + pd.to_timedelta(days, unit="D")).astype("datetime64[ns]")
        elif column in DATE_COLUMNS:
            table[column] = pd.to_datetime(text_values).astype("datetime64[ns]")
        elif column in NUMBER_COLUMNS:
            table[column] = pd.to_numeric(text_values).astype("float64")
        elif column in INTEGER_COLUMNS:
            table[column] = pd.to_numeric(text_values).astype("Int64")
        else:
            table[column] = text_values.astype("string")
    return table


def build_bundle(**csv: str):
    patients = read_table(csv.pop("patients"))
    for column, value in PATIENT_DEFAULTS.items():
        if column not in patients.columns:
            patients[column] = read_table(f"{column}\n" + "\n".join([value] * len(patients)))[column]
    day0 = dict(zip(patients["patient_id"], patients["randomization_date"]))
    tables = {name: None for name in TABLES}
    tables["patients"] = patients
    for name, text in csv.items():
        if name not in TABLES:
            raise KeyError(f"unknown table {name}")
        tables[name] = read_table(text, day0)
    from khetrial.bundle import Bundle

    return Bundle.from_tables(**tables)


@pytest.fixture
def make_bundle():
    """Build a bundle-like object from CSV snippets (see the module docstring)."""
    return build_bundle
