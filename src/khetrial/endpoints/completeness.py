"""Interim completeness: which patients can already be judged on each endpoint at a data cut-off.

The plan's rules are for the final analysis: a patient without a week-4 durable run is a
non-responder. At an interim look, a child randomized yesterday has simply not been followed long
enough; counting them as a failure biases every rate toward zero. This module says, per patient
and binary endpoint, whether the outcome is **known** at the cut-off:

- the endpoint's window has closed: cut-off day ≥ :data:`CLOSE_DAYS` (the last study day whose data
  can change the flag), or
- the event has already happened (a responder is a responder whatever comes later; for KMP
  rebound, sequelae and lack of efficacy an event is final too).

Otherwise the patient is "not yet evaluable" and the interim view leaves them out of that
endpoint's denominator; the final ITT rule is unchanged.

Close days (project choice, from the plan's windows): durable response at week *k* — a run must
start by day 7k and last 28 days, with counts up to 14 days apart, so day 7k + 28 + 14;
fibrinogen the same at k = 4; lesion and PedsQL at month 12 — the end of the month-12 window
(395); sequelae — the end of the month-24 window (790); rebound — day 730; lack of efficacy — the
end of treatment, taken as the end of follow-up (790).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from khetrial.constants import (
    DAYS_PER_WEEK,
    DURABLE_RUN_MIN_DAYS,
    MONTH12_WINDOW,
    MONTH24_WINDOW,
    PRIMARY_WEEK,
    REBOUND_LAST_DAY,
    RESPONSE_WEEKS,
    RUN_MAX_GAP_DAYS,
)
from khetrial.endpoints.adsl import BINARY_ENDPOINTS
from khetrial.endpoints.windows import compute_study_day
from khetrial.errors import AnalysisError

CLOSE_DAYS = {
    **{f"durable_platelet_response_wk{k}": DAYS_PER_WEEK * k + DURABLE_RUN_MIN_DAYS + RUN_MAX_GAP_DAYS
       for k in RESPONSE_WEEKS},
    f"fibrinogen_stabilization_wk{PRIMARY_WEEK}": DAYS_PER_WEEK * PRIMARY_WEEK + DURABLE_RUN_MIN_DAYS + RUN_MAX_GAP_DAYS,
    "lesion_overall_response_m12": MONTH12_WINDOW[1],
    "lesion_good_response_m12": MONTH12_WINDOW[1],
    "qol_improvement_m12": MONTH12_WINDOW[1],
    "kmp_rebound": REBOUND_LAST_DAY,
    "sequelae_m24": MONTH24_WINDOW[1],
    "discontinued_lack_of_efficacy": MONTH24_WINDOW[1],
}
"""Per binary endpoint: the study day after which no data can change its flag."""

NOT_YET_EVALUABLE = "not_yet_evaluable"


def derive_follow_up_day(patients: pd.DataFrame, cutoff) -> pd.Series:
    """Each patient's study day at the cut-off date (by patient id)."""
    cutoff = np.datetime64(pd.Timestamp(cutoff).date(), "D")
    days = compute_study_day(np.full(len(patients), cutoff), patients["randomization_date"].to_numpy())
    return pd.Series(days.to_numpy(), index=patients["patient_id"].astype("string").to_numpy())


def derive_evaluable(adsl: pd.DataFrame, patients: pd.DataFrame, cutoff) -> pd.DataFrame:
    """Per patient (ADSL order): one boolean column per binary endpoint, true when the outcome
    is known at ``cutoff`` (see the module docstring)."""
    missing = [e for e in BINARY_ENDPOINTS if e not in adsl.columns]
    if missing:
        raise AnalysisError(f"completeness: the ADSL lacks {', '.join(missing)}")
    follow_up = adsl["patient_id"].astype("string").map(derive_follow_up_day(patients, cutoff))
    out = adsl[["patient_id", "arm"]].copy()
    for endpoint in BINARY_ENDPOINTS:
        closed = (follow_up >= CLOSE_DAYS[endpoint]).fillna(False).to_numpy()
        happened = (adsl[endpoint] == 1).fillna(False).to_numpy()
        out[endpoint] = closed | happened
    return out


def summarise_completeness(evaluable: pd.DataFrame, arms) -> dict:
    """Per endpoint and arm: patients evaluable and randomized (``{"evaluable", "n"}``)."""
    summary = {}
    for endpoint in BINARY_ENDPOINTS:
        summary[endpoint] = {arm: {"evaluable": int(evaluable.loc[evaluable["arm"] == arm, endpoint].sum()),
                                   "n": int((evaluable["arm"] == arm).sum())} for arm in arms}
    return summary
