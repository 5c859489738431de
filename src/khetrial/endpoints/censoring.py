"""Intercurrent events: each patient's censoring day (SAP "Intercurrent events: censoring").

The censoring day is the earliest of
- the date of a ``discontinued`` row in disposition.csv (reason ``discontinued``);
- the start of any ``other_khe_therapy`` course after day 0 (``other_khe_therapy``);
- arm S: the start of any prednisolone course after day 0 (``rescue_prednisolone``);
- arm SP: the start of a prednisolone course after day 0 that starts more than 7 days after
  the latest end of the prednisolone courses that started before it
  (``prednisolone_reintroduction``). A course still running (empty end_date) among the earlier
  ones means there is no gap; a course with no earlier course is no reintroduction; courses
  taken before randomization count as earlier courses, only for this gap.

"After day 0" means day ≥ 1. When two events fall on the same day the reason listed first above
is reported.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from khetrial.endpoints._frames import patient_frame, per_patient, require_columns
from khetrial.endpoints.windows import derive_study_day
from khetrial.constants import (
    ARM_CONTROL,
    ARM_EXPERIMENTAL,
    PREDNISOLONE_REINTRODUCTION_GAP_DAYS,
)

REASONS = ("discontinued", "other_khe_therapy", "rescue_prednisolone", "prednisolone_reintroduction")
FIRST_DAY_AFTER_RANDOMIZATION = 1  # SAP: '"After day 0" means day ≥ 1'


def derive_course_days(medications: pd.DataFrame | None, patients: pd.DataFrame) -> pd.DataFrame:
    """Medication courses with ``start_day`` and ``end_day`` (NaN = still running) and the
    patient's ``arm``; courses without a start date are dropped."""
    meds = require_columns(medications, "medications.csv",
                           ["patient_id", "drug", "start_date", "end_date"])
    meds = derive_study_day(meds, patients, "start_date", "start_day")
    meds = derive_study_day(meds, patients, "end_date", "end_day")
    meds = meds[meds["start_day"].notna().to_numpy()]
    arms = patient_frame(patients).set_index("patient_id")["arm"]
    meds["arm"] = meds["patient_id"].astype("string").map(arms).to_numpy()
    return meds


def compute_reintroduction_days(patient_ids: pd.Series, start_days: pd.Series,
                                end_days: pd.Series,
                                gap: int = PREDNISOLONE_REINTRODUCTION_GAP_DAYS) -> pd.Series:
    """For prednisolone courses (one row each, any order), a boolean Series (same index): the
    course starts after day 0 and more than ``gap`` days after the latest end of the courses of
    the same patient that started strictly before it (an earlier course still running, NaN end,
    counts as never ending)."""
    courses = pd.DataFrame({"patient_id": patient_ids.astype("string").to_numpy(),
                            "start": start_days.to_numpy(dtype="float64"),
                            "end": end_days.to_numpy(dtype="float64")})
    courses["end"] = courses["end"].fillna(np.inf)
    by_start = (courses.groupby(["patient_id", "start"], sort=True)["end"].max().reset_index())
    running_max = by_start.groupby("patient_id")["end"].cummax()
    by_start["latest_earlier_end"] = running_max.groupby(by_start["patient_id"]).shift(1)
    prior = courses.merge(by_start[["patient_id", "start", "latest_earlier_end"]],
                          on=["patient_id", "start"], how="left")["latest_earlier_end"]
    prior = prior.to_numpy(dtype="float64")
    start = courses["start"].to_numpy()
    is_reintroduction = ((start >= FIRST_DAY_AFTER_RANDOMIZATION) & ~np.isnan(prior)
                         & (start - prior > gap))
    return pd.Series(is_reintroduction, index=start_days.index)


def derive_censoring(patients: pd.DataFrame, medications: pd.DataFrame | None,
                     disposition: pd.DataFrame | None) -> pd.DataFrame:
    """One row per patient (patients' file order): ``patient_id``, ``censoring_day`` (float,
    NaN when never censored) and ``censoring_reason`` (one of :data:`REASONS`, or NA)."""
    events = []
    disp = require_columns(disposition, "disposition.csv", ["patient_id", "date", "status"])
    disp = derive_study_day(disp, patients)
    stopped = disp[(disp["status"].astype("string") == "discontinued").fillna(False).to_numpy()]
    events.append(pd.DataFrame({"patient_id": stopped["patient_id"].astype("string").to_numpy(),
                                "day": stopped["day"].to_numpy(), "reason": REASONS[0]}))

    meds = derive_course_days(medications, patients)
    drug = meds["drug"].astype("string")
    after_day0 = meds["start_day"] >= FIRST_DAY_AFTER_RANDOMIZATION
    other = meds[((drug == "other_khe_therapy") & after_day0).fillna(False).to_numpy()]
    events.append(pd.DataFrame({"patient_id": other["patient_id"].astype("string").to_numpy(),
                                "day": other["start_day"].to_numpy(), "reason": REASONS[1]}))
    pred = meds[(drug == "prednisolone").fillna(False).to_numpy()]
    rescue = pred[((pred["arm"] == ARM_CONTROL) & (pred["start_day"] >= FIRST_DAY_AFTER_RANDOMIZATION)).to_numpy()]
    events.append(pd.DataFrame({"patient_id": rescue["patient_id"].astype("string").to_numpy(),
                                "day": rescue["start_day"].to_numpy(), "reason": REASONS[2]}))
    pred_sp = pred[(pred["arm"] == ARM_EXPERIMENTAL).to_numpy()]
    if len(pred_sp):
        again = compute_reintroduction_days(pred_sp["patient_id"], pred_sp["start_day"], pred_sp["end_day"])
        reintro = pred_sp[again.to_numpy()]
        events.append(pd.DataFrame({"patient_id": reintro["patient_id"].astype("string").to_numpy(),
                                    "day": reintro["start_day"].to_numpy(), "reason": REASONS[3]}))

    all_events = pd.concat(events, ignore_index=True)
    all_events = all_events[all_events["day"].notna().to_numpy()]
    all_events["rank"] = all_events["reason"].map({r: i for i, r in enumerate(REASONS)})
    first = (all_events.sort_values(["patient_id", "day", "rank"], kind="stable")
             .drop_duplicates("patient_id", keep="first"))
    first = first.rename(columns={"day": "censoring_day", "reason": "censoring_reason"})
    out = per_patient(patients, first[["patient_id", "censoring_day", "censoring_reason"]])
    out["censoring_day"] = out["censoring_day"].astype("float64")
    out["censoring_reason"] = out["censoring_reason"].astype("string")
    return out


__all__ = ["REASONS", "compute_reintroduction_days", "derive_censoring", "derive_course_days"]
