"""Outcome records: mri.csv, qol.csv, transfusions.csv and sequelae.csv from the profiles."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from khetrial.protocol.pedsql import form_for_age, items, total_score
from khetrial.simulate import parameters as P
from khetrial.simulate.pedsql import answers_for_total
from khetrial.simulate.profiles import Profile

MONTH12_DAYS = (352, 378)  # chosen visit spread inside the plan's 335-395 window
MONTH24_DAYS = (716, 744)  # inside 670-790
QOL_IMPROVEMENT_MARGIN = 2.0  # points kept between a simulated change and the 4.5-point limit


def _when(day0: date, day: int) -> str:
    return (day0 + timedelta(days=int(day))).isoformat()


def _day0(patient) -> date:
    return date.fromisoformat(patient["randomization_date"])


def draw_mri(profiles: list[Profile], patients: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Baseline, month-6, month-12 and (if assessed) month-24 lesion volumes in mL."""
    rows = []
    lo, hi = P.LESION_BASELINE_ML
    for profile, (_, patient) in zip(profiles, patients.iterrows()):
        day0 = _day0(patient)
        v0 = round(float(np.exp(rng.uniform(np.log(lo), np.log(hi)))), 1)
        c_lo, c_hi = P.LESION_CHANGE_PCT[profile.lesion_category]
        change = rng.uniform(c_lo, c_hi) / 100
        v12 = 0.0 if profile.lesion_category == "complete" else max(round(v0 * (1 + change), 2), 0.05)
        v6 = round(v0 * (1 + change * rng.uniform(0.4, 0.8)), 2) if v12 else round(v0 * rng.uniform(0.05, 0.3), 2)
        visits = [(-int(rng.integers(1, 10)), v0), (int(rng.integers(175, 190)), v6),
                  (int(rng.integers(*MONTH12_DAYS)), v12)]
        if profile.assessed_m24:
            visits.append((int(rng.integers(*MONTH24_DAYS)), round(v12 * rng.uniform(0.6, 1.0), 2)))
        for day, volume in visits:
            rows.append({"patient_id": patient["patient_id"], "date": _when(day0, day), "lesion_volume_ml": volume})
    return pd.DataFrame(rows, columns=["patient_id", "date", "lesion_volume_ml"])


def _questionnaire(pid, when, form, answers):
    return [{"patient_id": pid, "date": when, "instrument": form, "scale": scale, "item": item,
             "response": None if a is None else int(a)}
            for (scale, item), a in zip(items(form), answers)]


def draw_qol(profiles: list[Profile], patients: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """A baseline and a month-12 parent-report questionnaire per patient, item by item."""
    rows = []
    for profile, (_, patient) in zip(profiles, patients.iterrows()):
        day0 = _day0(patient)
        age0 = (day0 - date.fromisoformat(patient["birth_date"])).days / P.DAYS_PER_MONTH
        day12 = int(rng.integers(*MONTH12_DAYS))
        form0, form12 = form_for_age(age0), form_for_age(age0 + day12 / P.DAYS_PER_MONTH)
        base_target = rng.uniform(*P.QOL_BASELINE_TOTAL)
        gain_range = P.QOL_GAIN_IMPROVED if profile.qol_improved else P.QOL_GAIN_NOT_IMPROVED
        for _attempt in range(50):
            a0 = answers_for_total(form0, base_target, rng, missing=int(rng.random() < 0.2))
            a12 = answers_for_total(form12, base_target + rng.uniform(*gain_range), rng,
                                    missing=int(rng.random() < 0.2))
            gain = total_score(a12) - total_score(a0)
            if (gain >= 4.5 + QOL_IMPROVEMENT_MARGIN) if profile.qol_improved else (gain <= 4.5 - QOL_IMPROVEMENT_MARGIN):
                break
        rows += _questionnaire(patient["patient_id"], _when(day0, -int(rng.integers(0, 3))), form0, a0)
        rows += _questionnaire(patient["patient_id"], _when(day0, day12), form12, a12)
    return pd.DataFrame(rows, columns=["patient_id", "date", "instrument", "scale", "item", "response"])


def draw_transfusions(profiles: list[Profile], patients: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Transfusions while KMP is severe (before the platelet response), days 0-365."""
    rows = []
    products = list(P.TRANSFUSION_PRODUCTS)
    weights = np.array(P.TRANSFUSION_PRODUCT_WEIGHTS)
    for profile, (_, patient) in zip(profiles, patients.iterrows()):
        day0 = _day0(patient)
        until = profile.response_day if profile.response_day is not None else (profile.stop_day or 60) + 21
        until = int(min(max(until, 4), 120))
        days = sorted(int(d) for d in rng.integers(0, until, size=profile.transfusions))
        for d in days:
            rows.append({"patient_id": patient["patient_id"], "date": _when(day0, d),
                         "product": str(rng.choice(products, p=weights))})
    return pd.DataFrame(rows, columns=["patient_id", "date", "product"])


def draw_sequelae(profiles: list[Profile], patients: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The month-24 assessment of every sequela, for the patients assessed then."""
    rows = []
    for profile, (_, patient) in zip(profiles, patients.iterrows()):
        if not profile.assessed_m24:
            continue
        when = _when(_day0(patient), int(rng.integers(*MONTH24_DAYS)))
        for sequela in P.SEQUELA_COUNTS:
            rows.append({"patient_id": patient["patient_id"], "date": when, "sequela": sequela,
                         "present": int(sequela in profile.sequelae)})
    return pd.DataFrame(rows, columns=["patient_id", "date", "sequela", "present"])
