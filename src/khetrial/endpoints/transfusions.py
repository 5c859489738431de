"""Transfusions between baseline and month 12 (SAP "Transfusions").

The number of transfusions.csv rows on days 0…365 per patient, all data (no censoring);
patients without a row have 0.
"""

from __future__ import annotations

import pandas as pd

from khetrial.endpoints._frames import per_patient, require_columns
from khetrial.endpoints.windows import derive_study_day
from khetrial.constants import TRANSFUSION_WINDOW


def derive_transfusion_count(transfusions: pd.DataFrame | None, patients: pd.DataFrame) -> pd.DataFrame:
    """Per patient: ``transfusions_m12``, the number of transfusions on days 0…365."""
    rows = require_columns(transfusions, "transfusions.csv", ["patient_id", "date"])
    rows = derive_study_day(rows[["patient_id", "date"]], patients)
    first, last = TRANSFUSION_WINDOW
    inside = rows[((rows["day"] >= first) & (rows["day"] <= last)).to_numpy()]
    counts = inside.groupby(inside["patient_id"].astype("string")).size().rename("transfusions_m12")
    out = per_patient(patients, counts.rename_axis("patient_id").reset_index(), {"transfusions_m12": 0})
    out["transfusions_m12"] = out["transfusions_m12"].astype("int64")
    return out
