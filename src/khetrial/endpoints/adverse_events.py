"""Adverse events during treatment (SAP "Adverse events").

Events count when their onset is on days 0…(last treatment day + 30), where the last treatment
day is the latest ``end_date`` of the patient's sirolimus courses; while a course is ongoing
(empty end_date) there is no upper limit. A patient with no sirolimus course on record is taken
as treated on day 0 only (day 0 = first dose), so the window is days 0…30. Events without an
onset date cannot be placed and are not counted.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from khetrial.endpoints._frames import numeric, per_patient, require_columns
from khetrial.endpoints.censoring import derive_course_days
from khetrial.endpoints.windows import derive_study_day
from khetrial.constants import AE_FOLLOW_UP_DAYS, AE_SEVERE_GRADE


FIRST_TREATMENT_DAY = 0  # bundle format: "day 0 = randomization = first dose"


def derive_ae_window(medications: pd.DataFrame | None, patients: pd.DataFrame) -> pd.DataFrame:
    """Per patient: ``last_treatment_day`` (inf while a sirolimus course is ongoing) and
    ``ae_window_end`` = last treatment day + 30."""
    meds = derive_course_days(medications, patients)
    sirolimus = meds[(meds["drug"].astype("string") == "sirolimus").fillna(False).to_numpy()]
    end = sirolimus["end_day"].fillna(np.inf)
    last = end.groupby(sirolimus["patient_id"].astype("string")).max().rename("last_treatment_day")
    out = per_patient(patients, last.rename_axis("patient_id").reset_index(),
                      {"last_treatment_day": FIRST_TREATMENT_DAY})
    out["last_treatment_day"] = out["last_treatment_day"].astype("float64")
    out["ae_window_end"] = out["last_treatment_day"] + AE_FOLLOW_UP_DAYS
    return out


def derive_treatment_emergent_aes(adverse_events: pd.DataFrame | None, medications: pd.DataFrame | None,
                                  patients: pd.DataFrame, window: pd.DataFrame | None = None) -> pd.DataFrame:
    """The adverse_events.csv rows inside the window, with ``day`` (of onset), a float
    ``grade`` and ``severe`` (grade ≥ 3, 0/1); file order kept. ``window`` is
    :func:`derive_ae_window`'s result when already at hand."""
    rows = require_columns(adverse_events, "adverse_events.csv", ["patient_id", "term", "onset_date", "grade"])
    rows = derive_study_day(rows, patients, "onset_date", "day")
    if window is None:
        window = derive_ae_window(medications, patients)
    window = window.set_index("patient_id")["ae_window_end"]
    end = rows["patient_id"].astype("string").map(window).to_numpy(dtype="float64")
    day = rows["day"].to_numpy(dtype="float64")
    out = rows[(day >= FIRST_TREATMENT_DAY) & (day <= end)].copy()
    out["grade"] = numeric(out["grade"])
    out["severe"] = (out["grade"] >= AE_SEVERE_GRADE).astype("int64")
    return out


def derive_ae_counts(events: pd.DataFrame, patients: pd.DataFrame) -> pd.DataFrame:
    """Per patient: ``ae_events`` and ``ae_grade3plus_events`` from the treatment-emergent rows."""
    by_patient = events.groupby(events["patient_id"].astype("string"))
    counts = pd.DataFrame({"ae_events": by_patient.size(),
                           "ae_grade3plus_events": by_patient["severe"].sum()})
    out = per_patient(patients, counts.rename_axis("patient_id").reset_index(),
                      {"ae_events": 0, "ae_grade3plus_events": 0})
    return out.astype({"ae_events": "int64", "ae_grade3plus_events": "int64"})


def derive_ae_terms(events: pd.DataFrame) -> pd.DataFrame:
    """One row per (patient, CTCAE term) with an event: ``any_grade`` 1 and ``grade3plus`` (0/1)."""
    keyed = events.assign(patient_id=events["patient_id"].astype("string"),
                          term=events["term"].astype("string"))
    out = keyed.groupby(["patient_id", "term"], sort=True)["severe"].max().rename("grade3plus").reset_index()
    out["any_grade"] = 1
    return out[["patient_id", "term", "any_grade", "grade3plus"]]
