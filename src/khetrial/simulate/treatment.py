"""Treatment records: medications.csv, drug_levels.csv and disposition.csv.

Sirolimus from day 0 (0.8 mg/m² twice daily, then titrated); in the combination arm prednisolone
2 mg/kg once daily, tapered in steps over 6-11 weeks (mean 8.1); trimethoprim-sulfamethoxazole
for 6 months; rescue prednisolone, other KHE therapy after a stop for lack of efficacy, and
previous therapies before randomization (ended at least 8 days before day 0).
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from khetrial.constants import (
    ARM_EXPERIMENTAL,
    PREDNISOLONE_DOSE_MG_KG,
    SIROLIMUS_START_DOSE_MG_M2,
    TMP_SMX_DOSE_MG_KG,
    TROUGH_SCHEDULE,
)
from khetrial.simulate import parameters as P
from khetrial.simulate.profiles import Profile

MEDICATION_COLUMNS = ["patient_id", "drug", "start_date", "end_date", "dose", "dose_unit", "frequency", "agent"]
# (fraction of the course, mg/kg): full dose for half the course, then 1 and 0.5 mg/kg (chosen taper)
TAPER_STEPS = ((0.50, float(PREDNISOLONE_DOSE_MG_KG)), (0.75, 1.0), (1.0, 0.5))


def sirolimus_last_day(profile: Profile) -> int | None:
    """Last day of sirolimus, or None while it is ongoing."""
    if profile.stop_day is not None:
        return profile.stop_day
    return profile.completed_day


def prednisolone_days(profiles: list[Profile], rng: np.random.Generator, exact: bool) -> dict[int, int]:
    """Total prednisolone days per combination-arm patient; mean 8.1 weeks when ``exact``."""
    sp = [p.index for p in profiles if p.arm == ARM_EXPERIMENTAL]
    lo, hi = (round(w * 7) for w in P.PREDNISOLONE_WEEKS)
    days = np.clip(np.round(rng.triangular(lo, round(P.PREDNISOLONE_MEAN_WEEKS * 7) - 3, hi, len(sp))), lo, hi).astype(int)
    if exact and len(sp) >= 3:
        days[0], days[1] = lo, hi
        target = round(P.PREDNISOLONE_MEAN_WEEKS * 7 * len(sp))
        k = 2
        while days.sum() != target and k < 100000:
            i = 2 + k % (len(sp) - 2)
            step = 1 if days.sum() < target else -1
            if lo < days[i] + step < hi:
                days[i] += step
            k += 1
    return dict(zip(sp, (int(d) for d in days)))


def _course(pid, drug, day0, start, end, dose, unit, freq, agent=""):
    return {"patient_id": pid, "drug": drug, "start_date": (day0 + timedelta(days=start)).isoformat(),
            "end_date": None if end is None else (day0 + timedelta(days=end)).isoformat(),
            "dose": dose, "dose_unit": unit, "frequency": freq, "agent": agent}


def _taper(pid, day0, start, total_days, drug="prednisolone"):
    rows, begin = [], start
    for fraction, dose in TAPER_STEPS:
        end = start + round(total_days * fraction) - 1
        rows.append(_course(pid, drug, day0, begin, end, dose, "mg_kg", "qd"))
        begin = end + 1
    return rows


def draw_medications(profiles, patients, previous, rng, exact) -> pd.DataFrame:
    pred_days = prednisolone_days(profiles, rng, exact)
    rows = []
    for profile, (_, patient) in zip(profiles, patients.iterrows()):
        pid = patient["patient_id"]
        day0 = date.fromisoformat(patient["randomization_date"])
        age = (day0 - date.fromisoformat(patient["birth_date"])).days
        for k, agent in enumerate(previous.get(pid, ())):
            end = -8 - int(rng.integers(0, max(min(age - 20, 40), 1)))
            start = max(end - int(rng.integers(7, 60)), -age + 1)
            drug = "prednisolone" if agent == "corticosteroids" else "other_khe_therapy"
            dose, unit = (float(PREDNISOLONE_DOSE_MG_KG), "mg_kg") if drug == "prednisolone" else (1.0, "mg")
            rows.append(_course(pid, drug, day0, start, end, dose, unit, "qd", agent))
        last = sirolimus_last_day(profile)
        titrated = round(float(SIROLIMUS_START_DOSE_MG_M2) * rng.uniform(1.0, 1.6), 2)
        rows.append(_course(pid, "sirolimus", day0, 0, 13, float(SIROLIMUS_START_DOSE_MG_M2), "mg_m2", "bid"))
        rows.append(_course(pid, "sirolimus", day0, 14, last, titrated, "mg_m2", "bid"))
        if profile.arm == ARM_EXPERIMENTAL:
            rows += _taper(pid, day0, 0, pred_days[profile.index])
        if profile.rescue_steroid_day is not None:
            rows += _taper(pid, day0, profile.rescue_steroid_day, int(rng.integers(42, 64)))
        if profile.stop_reason == "lack_of_efficacy":
            rows.append(_course(pid, "other_khe_therapy", day0, profile.stop_day + 1, profile.stop_day + 84,
                                1.5, "mg_m2", "qd", "vincristine"))
        rows.append(_course(pid, "tmp_smx", day0, 0, P.TMP_SMX_DAYS, float(TMP_SMX_DOSE_MG_KG), "mg_kg", "tiw_bid"))
    return pd.DataFrame(rows, columns=MEDICATION_COLUMNS)


def trough_days(last_day: int | None) -> list[int]:
    """Trough checks on the protocol's schedule while sirolimus runs."""
    days, day = [], 0
    for interval, count in TROUGH_SCHEDULE:
        k = 0
        while count is None or k < count:
            day += interval
            if day > (last_day if last_day is not None else 728) or day > 728:
                return days
            days.append(day)
            k += 1
    return days


def draw_drug_levels(profiles, patients, rng) -> pd.DataFrame:
    rows = []
    lo, hi = P.SIROLIMUS_TROUGH_NG_ML
    for profile, (_, patient) in zip(profiles, patients.iterrows()):
        day0 = date.fromisoformat(patient["randomization_date"])
        for k, d in enumerate(trough_days(sirolimus_last_day(profile))):
            level = rng.uniform(3.5, 11.0) if k == 0 else rng.uniform(lo, hi)
            rows.append({"patient_id": patient["patient_id"], "date": (day0 + timedelta(days=d)).isoformat(),
                         "sirolimus_trough_ng_ml": round(float(level), 1)})
    return pd.DataFrame(rows, columns=["patient_id", "date", "sirolimus_trough_ng_ml"])


def disposition_from_profiles(profiles, patients) -> pd.DataFrame:
    rows = []
    for profile, (_, patient) in zip(profiles, patients.iterrows()):
        day0 = date.fromisoformat(patient["randomization_date"])
        if profile.stop_day is not None:
            rows.append({"patient_id": patient["patient_id"],
                         "date": (day0 + timedelta(days=profile.stop_day)).isoformat(),
                         "status": "discontinued", "reason": profile.stop_reason})
        elif profile.completed_day is not None:
            rows.append({"patient_id": patient["patient_id"],
                         "date": (day0 + timedelta(days=profile.completed_day)).isoformat(),
                         "status": "completed", "reason": None})
    return pd.DataFrame(rows, columns=["patient_id", "date", "status", "reason"])
