"""Baseline characteristics per patient (SAP "Baseline table").

Age at randomization and duration of KMP in months (days / 30.4375, the mean Gregorian month),
sex, lesion depth and site, baseline platelets, fibrinogen, D-dimer and hemoglobin (the last
measurement on days −14…0; baseline is never censored) and previous KHE therapy: a sirolimus,
prednisolone or other KHE therapy course that started before day 0.
"""

from __future__ import annotations

import pandas as pd

from khetrial.endpoints._frames import patient_frame, require_columns
from khetrial.endpoints.censoring import derive_course_days
from khetrial.endpoints.response import derive_lab_measurements
from khetrial.endpoints.windows import compute_study_day, derive_last_in_window
from khetrial.constants import BASELINE_LAB_WINDOW

DAYS_PER_MONTH = 365.25 / 12  # mean Gregorian month, for ages and durations in months
BASELINE_LABS = ("platelets", "fibrinogen", "d_dimer", "hemoglobin")  # SAP "Baseline table"
KHE_THERAPIES = ("sirolimus", "prednisolone", "other_khe_therapy")  # medications.csv drug codes
CATEGORICAL = ("sex", "lesion_depth", "lesion_site", "previous_khe_therapy")
CONTINUOUS = ("age_months", "kmp_duration_months") + tuple(f"{t}_baseline" for t in BASELINE_LABS)


def derive_baseline_characteristics(patients: pd.DataFrame, labs: pd.DataFrame,
                                    medications: pd.DataFrame | None,
                                    measured: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """One row per patient: ``patient_id, arm`` and the columns of :data:`CATEGORICAL` and
    :data:`CONTINUOUS` (NaN/NA when unknown). ``measured``: tests' measurements already
    derived from ``labs`` (:func:`derive_lab_measurements`), by test."""
    patients = require_columns(patients, "patients.csv",
                               ["patient_id", "arm", "sex", "birth_date", "randomization_date",
                                "lesion_depth", "lesion_site"])
    out = patient_frame(patients)
    day0 = patients["randomization_date"]
    # Days from birth (or KMP onset) to randomization: the study day of day 0 seen from that date.
    out["age_months"] = (compute_study_day(day0, patients["birth_date"]) / DAYS_PER_MONTH).to_numpy()
    onset = (patients["kmp_onset_date"] if "kmp_onset_date" in patients.columns
             else pd.Series(pd.NaT, index=patients.index))
    out["kmp_duration_months"] = (compute_study_day(day0, onset) / DAYS_PER_MONTH).to_numpy()
    for column in ("sex", "lesion_depth", "lesion_site"):
        out[column] = patients[column].astype("string").to_numpy()
    for test in BASELINE_LABS:
        measurements = (measured or {}).get(test)
        if measurements is None:
            measurements = derive_lab_measurements(labs, patients, test)
        values = derive_last_in_window(measurements, BASELINE_LAB_WINDOW)
        mapped = out["patient_id"].map(values.set_index("patient_id")["value"])
        out[f"{test}_baseline"] = mapped.astype("float64").to_numpy()
    meds = derive_course_days(medications, patients)
    earlier = meds[(meds["drug"].astype("string").isin(KHE_THERAPIES) & (meds["start_day"] < 0)).to_numpy()]
    previous = out["patient_id"].isin(earlier["patient_id"].astype("string"))
    out["previous_khe_therapy"] = pd.Series(previous.map({True: "yes", False: "no"}), dtype="string")
    return out
