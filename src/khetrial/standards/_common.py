"""Small helpers the SDTM and ADaM derivations share: identifiers, ISO dates, study days."""

from __future__ import annotations

import numpy as np
import pandas as pd

from khetrial.standards.metadata import Dataset
from khetrial.standards.terminology import STUDY_ID, CodeList


def usubjid(patient_ids) -> pd.Series:
    """``NCT03188068-KHE-001``: the study id and the bundle's patient id."""
    return STUDY_ID + "-" + pd.Series(patient_ids, dtype="string").astype(str)


def iso_dates(dates) -> pd.Series:
    """ISO 8601 text of dates; ``""`` for a missing date."""
    values = pd.to_datetime(pd.Series(dates), errors="coerce")
    return values.dt.strftime("%Y-%m-%d").fillna("").astype(object)


def compute_sdtm_day(dates, reference) -> pd.Series:
    """SDTM study day (SDTMIG 4.4.4): date − reference + 1 on or after the reference date,
    date − reference before it (there is no day 0); ``<NA>`` when either date is missing.

    >>> compute_sdtm_day(pd.to_datetime(["2020-01-01", "2020-01-03", "2019-12-31"]),
    ...                  pd.to_datetime(["2020-01-01"] * 3)).tolist()
    [1, 3, -1]
    """
    delta = (pd.to_datetime(pd.Series(dates)).reset_index(drop=True)
             - pd.to_datetime(pd.Series(reference)).reset_index(drop=True)).dt.days
    return (delta + (delta >= 0).astype("float64")).astype("Int64")


def sequence(subjects: pd.Series) -> pd.Series:
    """1, 2, 3 … within each subject, in row order (``--SEQ``)."""
    return subjects.groupby(subjects, sort=False).cumcount().astype("int64") + 1


def decode(code_list: CodeList, codes) -> pd.Series:
    """Each bundle code's submission value; ``""`` for a missing code."""
    series = pd.Series(codes).astype(object)
    return series.map(lambda c: "" if c is None or pd.isna(c) else code_list.terms[str(c)])


def randomization_dates(patients: pd.DataFrame, patient_ids) -> pd.Series:
    """The randomization date of each patient id (NaT for an unknown patient)."""
    dates = patients.set_index(patients["patient_id"].astype(str))["randomization_date"]
    return pd.Series(patient_ids).astype(str).map(dates).reset_index(drop=True)


def frame(dataset: Dataset, columns: dict) -> pd.DataFrame:
    """A frame with the dataset's variables in order from ``columns`` (scalars broadcast);
    integer variables as ``Int64``, float variables as ``float64``, text as object."""
    lengths = [len(v) for v in columns.values() if not np.isscalar(v) and v is not None]
    n = max(lengths) if lengths else 0
    out = {}
    for var in dataset.variables:
        value = columns[var.name]
        series = pd.Series([value] * n) if np.isscalar(value) or value is None else \
            pd.Series(value).reset_index(drop=True)
        if var.kind == "integer":
            series = pd.to_numeric(series, errors="coerce").round().astype("Int64")
        elif var.kind == "float":
            series = pd.to_numeric(series, errors="coerce").astype("float64")
        else:
            series = series.astype(object).where(series.notna(), "").astype(str)
        out[var.name] = series
    return pd.DataFrame(out, columns=dataset.columns)
