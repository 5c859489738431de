"""Discontinuation for lack of efficacy (SAP "Discontinuation for lack of efficacy").

disposition.csv has a ``discontinued`` row with reason ``lack_of_efficacy``; denominator ITT N.
"""

from __future__ import annotations

import pandas as pd

from khetrial.endpoints._frames import per_patient, require_columns

LACK_OF_EFFICACY = "lack_of_efficacy"  # bundle format: disposition reason code


def derive_lack_of_efficacy(disposition: pd.DataFrame | None, patients: pd.DataFrame) -> pd.DataFrame:
    """Per patient: ``discontinued_lack_of_efficacy`` (0/1) and ``discontinued`` (0/1, any reason)."""
    rows = require_columns(disposition, "disposition.csv", ["patient_id", "status", "reason"])
    stopped = (rows["status"].astype("string") == "discontinued").fillna(False).to_numpy()
    lack = stopped & (rows["reason"].astype("string") == LACK_OF_EFFICACY).fillna(False).to_numpy()
    ids = rows["patient_id"].astype("string")
    found = pd.DataFrame({"patient_id": pd.unique(ids[stopped])})
    found["discontinued"] = 1
    found["discontinued_lack_of_efficacy"] = found["patient_id"].isin(ids[lack]).astype("int64")
    out = per_patient(patients, found, {"discontinued": 0, "discontinued_lack_of_efficacy": 0})
    return out.astype({"discontinued": "int64", "discontinued_lack_of_efficacy": "int64"})
