"""Lesion response at month 12 (SAP "Lesion response at month 12").

V0 = the last MRI on days −30…0; V12 = the MRI closest to day 365 within days 335…395 (tie to
the earlier date), before the censoring day. Change = (V12 − V0) / V0 × 100 %, compared with the
thresholds exactly (rounded to 10 decimals: 3.3 → 2.64 mL is exactly −20 %, ``partial``).

| change                       | category          |
|------------------------------|-------------------|
| ≥ +20 %                      | ``growth``        |
| > −20 % and < +20 %          | ``no_change``     |
| ≤ −20 % and > −75 %          | ``partial``       |
| ≤ −75 % and V12 > 0          | ``nearly_complete`` |
| V12 = 0                      | ``complete``      |
| V0 or V12 missing, or V0 = 0 | ``not_evaluable`` |
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from khetrial.endpoints._frames import exact, numeric, per_patient, require_columns
from khetrial.endpoints.windows import (
    derive_before_censoring,
    derive_closest_in_window,
    derive_last_in_window,
    derive_last_of_date,
    derive_study_day,
)
from khetrial.constants import (
    BASELINE_MRI_WINDOW,
    LESION_GOOD_RESPONSE,
    LESION_GROWTH_PCT,
    LESION_NEARLY_COMPLETE_PCT,
    LESION_OVERALL_RESPONSE,
    LESION_PARTIAL_PCT,
    MONTH12_TARGET_DAY,
    MONTH12_WINDOW,
)

LESION_CATEGORIES = ("growth", "no_change", "partial", "nearly_complete", "complete", "not_evaluable")
PERCENT = 100


def compute_lesion_change_pct(v0, v12) -> np.ndarray:
    """(V12 − V0) / V0 × 100, rounded to 10 decimals; NaN when V0 or V12 is missing or V0 = 0."""
    v0 = np.asarray(v0, dtype="float64")
    v12 = np.asarray(v12, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(v0 > 0, (v12 - v0) / v0 * PERCENT, np.nan)
    return exact(change)


def compute_lesion_category(v0, v12) -> pd.Categorical:
    """The month-12 category of each (V0, V12) pair (see the module's table)."""
    v0 = np.asarray(v0, dtype="float64")
    v12 = np.asarray(v12, dtype="float64")
    change = compute_lesion_change_pct(v0, v12)
    evaluable = ~np.isnan(change)
    conditions = [
        ~evaluable,
        v12 == 0,
        change >= LESION_GROWTH_PCT,
        change > LESION_PARTIAL_PCT,
        change > LESION_NEARLY_COMPLETE_PCT,
    ]
    choices = ["not_evaluable", "complete", "growth", "no_change", "partial"]
    category = np.select(conditions, choices, default="nearly_complete")
    return pd.Categorical(category, categories=LESION_CATEGORIES)


def derive_lesion_response(mri: pd.DataFrame | None, patients: pd.DataFrame,
                           censoring: pd.DataFrame) -> pd.DataFrame:
    """Per patient: ``lesion_volume_baseline``, ``lesion_volume_m12``, ``lesion_change_pct``,
    ``lesion_category_m12``, ``lesion_overall_response_m12`` and ``lesion_good_response_m12``
    (0/1; ``not_evaluable`` is a non-response)."""
    mri = require_columns(mri, "mri.csv", ["patient_id", "date", "lesion_volume_ml"])
    rows = mri[["patient_id", "date", "lesion_volume_ml"]].copy()
    rows["lesion_volume_ml"] = numeric(rows["lesion_volume_ml"])
    rows = derive_last_of_date(rows, ("patient_id", "date"), "lesion_volume_ml")
    rows = derive_before_censoring(derive_study_day(rows, patients), censoring)
    v0 = derive_last_in_window(rows, BASELINE_MRI_WINDOW)
    v12 = derive_closest_in_window(rows, MONTH12_TARGET_DAY, MONTH12_WINDOW)
    out = per_patient(patients, v0[["patient_id", "lesion_volume_ml"]]
                      .rename(columns={"lesion_volume_ml": "lesion_volume_baseline"}))
    out = out.merge(v12[["patient_id", "lesion_volume_ml"]]
                    .rename(columns={"lesion_volume_ml": "lesion_volume_m12"}), on="patient_id", how="left")
    v0_values = out["lesion_volume_baseline"].to_numpy(dtype="float64")
    v12_values = out["lesion_volume_m12"].to_numpy(dtype="float64")
    out["lesion_change_pct"] = compute_lesion_change_pct(v0_values, v12_values)
    category = compute_lesion_category(v0_values, v12_values)
    out["lesion_category_m12"] = category
    out["lesion_overall_response_m12"] = np.isin(np.asarray(category), LESION_OVERALL_RESPONSE).astype("int64")
    out["lesion_good_response_m12"] = np.isin(np.asarray(category), LESION_GOOD_RESPONSE).astype("int64")
    return out
