"""Quality of life: PedsQL totals and improvement at month 12 (SAP "Quality of life").

Each item is transformed 0→100, 1→75, 2→50, 3→25, 4→0. A questionnaire is one patient, date
and instrument; its total is the mean of its answered items, missing when more than half of its
items are unanswered (exactly half unanswered is still scored). Several rows of one item on one
date: the last answered row in file order wins (an empty response is no answer). Baseline = the
questionnaire on days −30…0 closest to day 0; month 12 = closest to day 365 within 335…395 (tie
to the earlier date), before the censoring day. Questionnaires are chosen by date first; two
instruments on one date: the first in file order. The chosen questionnaire's total is used as
it is (a chosen questionnaire with a missing total gives a missing value).
Improvement = month-12 total − baseline total ≥ 4.5; a missing value is a non-response.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from khetrial.endpoints._frames import exact, numeric, per_patient, require_columns
from khetrial.endpoints.windows import (
    derive_before_censoring,
    derive_closest_in_window,
    derive_last_in_window,
    derive_study_day,
)
from khetrial.errors import AnalysisError
from khetrial.constants import (
    BASELINE_QOL_WINDOW,
    MONTH12_TARGET_DAY,
    MONTH12_WINDOW,
    PEDSQL_ITEM_SCORE,
    PEDSQL_MAX_MISSING_FRACTION,
    QOL_IMPROVEMENT_MIN_POINTS,
)

QUESTIONNAIRE = ["patient_id", "date", "instrument"]


def compute_item_score(responses: pd.Series) -> pd.Series:
    """PedsQL item responses 0…4 as scores 100, 75, 50, 25, 0 (NaN when unanswered)."""
    values = numeric(responses)
    scores = values.map(PEDSQL_ITEM_SCORE)
    bad = values.notna() & scores.isna()
    if bad.any():
        raise AnalysisError(f"qol.csv: got response {values[bad].iloc[0]!r}; expected an integer "
                            f"{min(PEDSQL_ITEM_SCORE)}–{max(PEDSQL_ITEM_SCORE)} or empty")
    return scores.astype("float64")


def compute_total_is_missing(n_items, n_answered) -> np.ndarray:
    """More than half of the items unanswered (exact integer arithmetic)."""
    n_items = np.asarray(n_items, dtype=np.int64)
    unanswered = n_items - np.asarray(n_answered, dtype=np.int64)
    fraction = PEDSQL_MAX_MISSING_FRACTION
    return unanswered * fraction.denominator > n_items * fraction.numerator


def derive_questionnaires(qol: pd.DataFrame | None, patients: pd.DataFrame) -> pd.DataFrame:
    """One row per questionnaire (patient, date, instrument), in order of its first row in the
    file: ``day``, ``n_items``, ``n_answered``, ``total`` (NaN when missing), ``first_row``."""
    qol = require_columns(qol, "qol.csv", ["patient_id", "date", "instrument", "item", "response"])
    rows = qol[["patient_id", "date", "instrument", "item", "response"]].copy()
    rows["first_row"] = np.arange(len(rows))
    rows["score"] = compute_item_score(rows["response"]).to_numpy()
    keys = QUESTIONNAIRE + ["item"]
    items = rows.groupby(QUESTIONNAIRE, sort=False, dropna=False).agg(
        n_items=("item", "nunique"), first_row=("first_row", "min")).reset_index()
    answered = rows[rows["score"].notna().to_numpy()]
    answered = answered[~answered.duplicated(keys, keep="last").to_numpy()]
    scored = answered.groupby(QUESTIONNAIRE, sort=False, dropna=False).agg(
        n_answered=("score", "size"), mean_score=("score", "mean")).reset_index()
    out = items.merge(scored, on=QUESTIONNAIRE, how="left")
    out["n_answered"] = out["n_answered"].fillna(0).astype("int64")
    missing = compute_total_is_missing(out["n_items"], out["n_answered"])
    out["total"] = out["mean_score"].where(~missing).astype("float64")
    out = out.drop(columns="mean_score").sort_values("first_row", kind="stable")
    return derive_study_day(out.reset_index(drop=True), patients)


def derive_qol_response(qol: pd.DataFrame | None, patients: pd.DataFrame,
                        censoring: pd.DataFrame) -> pd.DataFrame:
    """Per patient: ``qol_total_baseline``, ``qol_total_m12`` (before censoring),
    ``qol_change`` and ``qol_improvement_m12`` (0/1)."""
    forms = derive_before_censoring(derive_questionnaires(qol, patients), censoring)
    # Two instruments on one date: the first in file order.
    one_per_date = forms.sort_values("first_row", kind="stable").drop_duplicates(
        ["patient_id", "date"], keep="first")
    baseline = derive_last_in_window(one_per_date, BASELINE_QOL_WINDOW)
    month12 = derive_closest_in_window(one_per_date, MONTH12_TARGET_DAY, MONTH12_WINDOW)
    out = per_patient(patients, baseline[["patient_id", "total"]].rename(columns={"total": "qol_total_baseline"}))
    out = out.merge(month12[["patient_id", "total"]].rename(columns={"total": "qol_total_m12"}),
                    on="patient_id", how="left")
    out["qol_change"] = exact(out["qol_total_m12"] - out["qol_total_baseline"])
    improved = compute_qol_improvement(out["qol_total_baseline"], out["qol_total_m12"])
    out["qol_improvement_m12"] = improved.astype("int64")
    return out


def compute_qol_improvement(baseline, month12) -> np.ndarray:
    """Month-12 total − baseline total ≥ 4.5, exact on the decimals (False when missing)."""
    change = exact(np.asarray(month12, dtype="float64") - np.asarray(baseline, dtype="float64"))
    with np.errstate(invalid="ignore"):
        return change >= float(QOL_IMPROVEMENT_MIN_POINTS)
