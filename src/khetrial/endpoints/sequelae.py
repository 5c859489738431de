"""Disease sequelae at month 24 (SAP "Disease sequelae at month 24").

A patient has sequelae when any sequelae.csv row dated on days 670…790 has ``present`` = 1
(all data, no censoring). Patients without an assessment count as without sequelae; a patient
is *assessed* when a row with a non-empty ``present`` falls in that window.
"""

from __future__ import annotations

import pandas as pd

from khetrial.endpoints._frames import numeric, per_patient, require_columns
from khetrial.endpoints.windows import derive_study_day
from khetrial.constants import SEQUELAE_WINDOW


def derive_sequelae(sequelae: pd.DataFrame | None, patients: pd.DataFrame) -> pd.DataFrame:
    """Per patient: ``sequelae_m24`` (0/1) and ``sequelae_assessed_m24`` (0/1)."""
    rows = require_columns(sequelae, "sequelae.csv", ["patient_id", "date", "present"])
    rows = derive_study_day(rows[["patient_id", "date", "present"]], patients)
    rows["present"] = numeric(rows["present"])
    first, last = SEQUELAE_WINDOW
    inside = rows[((rows["day"] >= first) & (rows["day"] <= last) & rows["present"].notna()).to_numpy()]
    by_patient = inside.groupby(inside["patient_id"].astype("string"))["present"]
    found = pd.DataFrame({"sequelae_m24": (by_patient.max() == 1).astype("int64"),
                          "sequelae_assessed_m24": 1}).rename_axis("patient_id").reset_index()
    out = per_patient(patients, found, {"sequelae_m24": 0, "sequelae_assessed_m24": 0})
    return out.astype({"sequelae_m24": "int64", "sequelae_assessed_m24": "int64"})
