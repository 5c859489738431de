"""Drug exposure per patient: sirolimus trough time in range, dose intensity, prednisolone
duration, and the adverse events that changed the treatment.

A DMC asks whether the arms received the treatment the protocol meant (the publication: troughs
"titrated to achieve trough levels of 10 to 15 ng/mL"; prednisolone for "8.1 weeks (6.0–11.0)";
"temporary discontinuation (3-28 days) or a reduction in sirolimus dose ... occurred in 15 (20.5%)
and 7 (9.6%) patients"). Choices, where neither the publication nor the plan defines the measure:

- **Time in range** by Rosendaal's linear interpolation (Rosendaal et al., *Thromb Haemost*
  1993;69:236): between two consecutive troughs the level is taken to change linearly, and the
  share of days within 10–15 ng/mL is counted; pairs more than
  :data:`ROSENDAAL_MAX_GAP_DAYS` apart are not interpolated (Rosendaal's 8-week rule). Troughs on
  days ≥ 0 only.
- **Dose intensity**: the time-weighted mean prescribed sirolimus dose over the patient's courses
  on days ≥ 0, in mg/m² per day, divided by the starting dose (0.8 mg/m² twice daily = 1.6 mg/m²
  per day). Courses prescribed in mg or mg/kg are converted with the baseline body size (the
  bundle has no later one); a ``tiw_bid`` course counts 3/7 of its days; an ongoing course runs to
  the patient's last recorded date of any kind.
- **Prednisolone duration**: from the start of the first prednisolone course on days ≥ 0 to the
  end of the last course chained to it without a gap of more than 7 days (the plan's
  reintroduction gap), in weeks; missing while a course of the chain is ongoing.
- **Treatment changes**: patients with a treatment-emergent adverse event whose ``action`` is
  ``interrupted``, ``dose_reduced`` or ``withdrawn``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from khetrial.constants import (
    DAYS_PER_WEEK,
    PREDNISOLONE_REINTRODUCTION_GAP_DAYS,
    SIROLIMUS_START_DOSE_MG_M2,
    SIROLIMUS_TROUGH_TARGET_NG_ML,
)
from khetrial.endpoints._frames import patient_frame, require_columns
from khetrial.endpoints.censoring import derive_course_days
from khetrial.endpoints.windows import derive_study_day

ROSENDAAL_MAX_GAP_DAYS = 56  # Rosendaal 1993: no interpolation across gaps longer than 8 weeks
DOSES_PER_DAY = {"bid": 2.0, "qd": 1.0, "tiw_bid": 2.0 * 3 / 7}
"""Doses per day of each ``frequency`` code (tiw_bid: twice daily on three days a week)."""
TREATMENT_CHANGES = ("interrupted", "dose_reduced", "withdrawn")


def compute_time_in_range(day0, value0, day1, value1, low: float, high: float) -> np.ndarray:
    """Days within ``[low, high]`` of each segment from ``(day0, value0)`` to ``(day1, value1)``
    under linear interpolation (Rosendaal). Arrays of one element per segment."""
    day0, value0, day1, value1 = (np.asarray(a, float) for a in (day0, value0, day1, value1))
    length = day1 - day0
    lo, hi = np.minimum(value0, value1), np.maximum(value0, value1)
    flat = hi == lo
    overlap = np.clip(np.minimum(hi, high) - np.maximum(lo, low), 0.0, None)
    share = np.where(flat, ((lo >= low) & (lo <= high)).astype(float),
                     overlap / np.where(flat, 1.0, hi - lo))
    return share * length


def derive_trough_time_in_range(drug_levels: pd.DataFrame | None, patients: pd.DataFrame,
                                target: tuple[float, float] = SIROLIMUS_TROUGH_TARGET_NG_ML) -> pd.DataFrame:
    """Per patient: ``trough_days_observed``, ``trough_days_in_range`` and
    ``trough_time_in_range`` (their ratio; missing without two troughs close enough)."""
    levels = require_columns(drug_levels, "drug_levels.csv", ["patient_id", "date", "sirolimus_trough_ng_ml"])
    rows = derive_study_day(levels[["patient_id", "date", "sirolimus_trough_ng_ml"]], patients)
    rows = rows[(rows["day"] >= 0) & rows["sirolimus_trough_ng_ml"].notna()]
    rows = rows.sort_values(["patient_id", "day"], kind="stable")
    ids = rows["patient_id"].astype("string").to_numpy()
    day = rows["day"].to_numpy(float)
    value = rows["sirolimus_trough_ng_ml"].to_numpy(float)
    pair = (ids[1:] == ids[:-1]) & (day[1:] - day[:-1] <= ROSENDAAL_MAX_GAP_DAYS)
    in_range = compute_time_in_range(day[:-1][pair], value[:-1][pair], day[1:][pair], value[1:][pair], *target)
    segments = pd.DataFrame({"patient_id": ids[1:][pair], "observed": (day[1:] - day[:-1])[pair],
                             "in_range": in_range})
    sums = segments.groupby("patient_id")[["observed", "in_range"]].sum()
    out = patient_frame(patients)[["patient_id"]]
    key = out["patient_id"].astype("string")
    out["trough_days_observed"] = key.map(sums["observed"]).astype("float64").fillna(0.0).to_numpy()
    out["trough_days_in_range"] = key.map(sums["in_range"]).astype("float64").fillna(0.0).to_numpy()
    observed = out["trough_days_observed"]
    out["trough_time_in_range"] = (out["trough_days_in_range"] / observed.where(observed > 0)).to_numpy()
    return out


def _body_surface_area(patients: pd.DataFrame) -> pd.Series:
    """Mosteller BSA (m²) from the baseline weight and height, by patient id."""
    frame = patients.assign(patient_id=patients["patient_id"].astype("string"))
    bsa = np.sqrt(frame["weight_kg"].astype(float) * frame["height_cm"].astype(float) / 3600.0)
    return pd.Series(bsa.to_numpy(), index=frame["patient_id"])


def derive_dose_intensity(medications: pd.DataFrame | None, patients: pd.DataFrame,
                          last_day: pd.Series) -> pd.DataFrame:
    """Per patient: ``sirolimus_mg_m2_day`` (time-weighted mean prescribed dose on days ≥ 0) and
    ``dose_intensity`` (that / 1.6 mg/m² per day). ``last_day``: each patient's last recorded
    study day (by patient id), where an ongoing course is taken to end."""
    meds = require_columns(medications, "medications.csv",
                           ["patient_id", "drug", "start_date", "end_date", "dose", "dose_unit", "frequency"])
    courses = meds[(meds["drug"].astype("string") == "sirolimus").fillna(False).to_numpy()]
    courses = derive_study_day(derive_study_day(courses, patients, "start_date", "start_day"),
                               patients, "end_date", "end_day")
    pid = courses["patient_id"].astype("string")
    end = courses["end_day"].fillna(pid.map(last_day)).to_numpy(float)
    start = np.maximum(courses["start_day"].to_numpy(float), 0.0)
    days = np.clip(end - start + 1, 0.0, None)
    bsa = pid.map(_body_surface_area(patients)).to_numpy(float)
    weight = pid.map(patients.set_index(patients["patient_id"].astype("string"))["weight_kg"]).to_numpy(float)
    dose = courses["dose"].to_numpy(float)
    unit = courses["dose_unit"].astype("string").fillna("").to_numpy()  # no unit: no dose (dropped)
    mg_m2 = np.where(unit == "mg_m2", dose, np.where(unit == "mg", dose / bsa,
                                                    np.where(unit == "mg_kg", dose * weight / bsa, np.nan)))
    per_day = mg_m2 * courses["frequency"].astype("string").map(DOSES_PER_DAY).to_numpy(float)
    weighted = pd.DataFrame({"patient_id": pid.to_numpy(), "dose_days": per_day * days, "days": days})
    weighted = weighted.dropna().groupby("patient_id")[["dose_days", "days"]].sum()
    out = patient_frame(patients)[["patient_id"]]
    key = out["patient_id"].astype("string")
    mean = (weighted["dose_days"] / weighted["days"].where(weighted["days"] > 0))
    out["sirolimus_mg_m2_day"] = key.map(mean).astype("float64").to_numpy()
    out["dose_intensity"] = out["sirolimus_mg_m2_day"] / (2 * float(SIROLIMUS_START_DOSE_MG_M2))
    return out


def derive_prednisolone_duration(medications: pd.DataFrame | None, patients: pd.DataFrame) -> pd.DataFrame:
    """Per patient: ``prednisolone_weeks``, the first prednisolone episode on days ≥ 0 (courses
    chained by gaps ≤ 7 days), in weeks; missing without such a course or while it runs."""
    courses = derive_course_days(medications, patients)
    courses = courses[(courses["drug"] == "prednisolone") & (courses["start_day"] >= 0)]
    courses = courses.sort_values(["patient_id", "start_day"], kind="stable")
    patient = pd.Series(pd.factorize(courses["patient_id"].astype("string"))[0])
    start = courses["start_day"].to_numpy(float)
    # The end of the chain so far at each course: the latest end of the courses up to it (an
    # ongoing course, NaN, never ends); a course more than 7 days after the previous courses'
    # end breaks the chain, and the courses from it on are not in it.
    end = pd.Series(courses["end_day"].fillna(np.inf).to_numpy(float)).groupby(patient).cummax()
    before = end.groupby(patient).shift(1).to_numpy(float)  # NaN for a patient's first course
    gap = pd.Series(start - before > PREDNISOLONE_REINTRODUCTION_GAP_DAYS).groupby(patient).cumsum()
    chain = pd.DataFrame({"patient_id": courses["patient_id"].astype("string").to_numpy(),
                          "start": start, "end": end.to_numpy()})[(gap == 0).to_numpy()]
    chain = chain.groupby("patient_id").agg(first=("start", "first"), end=("end", "max"))
    weeks = ((chain["end"] - chain["first"] + 1) / DAYS_PER_WEEK).replace(np.inf, np.nan)
    out = patient_frame(patients)[["patient_id"]]
    out["prednisolone_weeks"] = out["patient_id"].astype("string").map(weeks).astype("float64").to_numpy()
    return out


def derive_treatment_changes(events: pd.DataFrame, patients: pd.DataFrame) -> pd.DataFrame:
    """Per patient, from the treatment-emergent adverse events: 0/1 columns ``ae_interrupted``,
    ``ae_dose_reduced`` and ``ae_withdrawn`` (any event with that ``action``)."""
    events = require_columns(events, "adverse_events.csv", ["patient_id", "action"])
    out = patient_frame(patients)[["patient_id"]]
    key = out["patient_id"].astype("string")
    for action in TREATMENT_CHANGES:
        having = set(events.loc[(events["action"].astype("string") == action).fillna(False).to_numpy(),
                                "patient_id"].astype("string"))
        out[f"ae_{action}"] = key.isin(having).astype("int64").to_numpy()
    return out
