"""Endpoints of simulated trials, two ways that share the analysis plan's rules.

* :func:`derive_batch_endpoints` — the fast path: every patient of every trial of a
  :class:`~khetrial.design.trajectories.TrialBatch` in one array pass through the endpoint
  kernels of :mod:`khetrial.endpoints.response` (``compute_durable_run_start``,
  ``compute_rebound``, ``compute_responder``, ``compute_platelet_ok``,
  ``compute_fibrinogen_ok``); patient codes are unique across trials.
* :func:`derive_trial_endpoints` — the per-trial path: one trial's bundle tables through the
  analysis plan's full derivation (:func:`khetrial.endpoints.adsl.derive_analysis_tables`),
  exactly as a real trial's bundle is analysed.

Both return one row per patient with the columns of :data:`ENDPOINT_COLUMNS`; the tests check
that they agree on every patient.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from khetrial.design.trajectories import REASON_LACK_OF_EFFICACY, TrialBatch, batch_bundle
from khetrial.endpoints.adsl import derive_analysis_tables
from khetrial.endpoints.response import (
    FIRST_EFFICACY_DAY,
    compute_durable_run_start,
    compute_fibrinogen_ok,
    compute_platelet_ok,
    compute_rebound,
    compute_responder,
)
from khetrial.constants import (
    DAYS_PER_WEEK,
    DURABLE_RUN_MIN_DAYS,
    PRIMARY_WEEK,
    REBOUND_LAST_DAY,
    RESPONSE_WEEKS,
    RUN_MAX_GAP_DAYS,
)

#: The binary endpoints a simulated trial has (the SAP's ids); lesion, QOL and sequelae are
#: not simulated.
SIMULATED_ENDPOINTS = (
    *(f"durable_platelet_response_wk{k}" for k in RESPONSE_WEEKS),
    f"fibrinogen_stabilization_wk{PRIMARY_WEEK}",
    "kmp_rebound",
    "discontinued_lack_of_efficacy",
)
PRIMARY_ENDPOINT = f"durable_platelet_response_wk{PRIMARY_WEEK}"
DAY_COLUMNS = ("censoring_day", "platelet_durable_start_day", "fibrinogen_stable_start_day")
#: Efficacy measurements after this day cannot change whether a patient responds by week 4:
#: a run that starts by day 7·4 = 28 and is still going on day 70 has a measurement after
#: day 70 − 14 = 56 (no two measurements more than 14 days apart), so it already lasts ≥ 28
#: days; and cutting a measurement sequence only shortens the runs that reach the cut. The
#: simulator uses this horizon; start days of runs that begin after day 28 are then not final.
RESPONDER_HORIZON_DAYS = DAYS_PER_WEEK * PRIMARY_WEEK + DURABLE_RUN_MIN_DAYS + RUN_MAX_GAP_DAYS
ENDPOINT_COLUMNS = (*DAY_COLUMNS, *SIMULATED_ENDPOINTS)


def compute_censoring_day(batch: TrialBatch) -> np.ndarray:
    """Per patient: the earliest of discontinuation and rescue prednisolone (NaN when none).

    The simulator only makes these two intercurrent events, and it dates a rescue course as
    the SAP counts it (arm S: any start after day 0; arm SP: more than 7 days after the
    initial course ended), so the earliest of the two is the SAP's censoring day.
    """
    return np.fmin(batch.discontinued_day, batch.rescue_day)


def _run_start(values: np.ndarray, days: np.ndarray, keep: np.ndarray, is_ok) -> np.ndarray:
    """First day of each patient's first durable run among the kept measurements."""
    n = values.shape[0]
    keep = keep & ~np.isnan(values)
    codes = np.broadcast_to(np.arange(n)[:, None], values.shape)[keep]
    day = np.broadcast_to(days[None, :], values.shape)[keep]
    return compute_durable_run_start(codes, day, is_ok(values[keep]), n)


def derive_batch_endpoints(batch: TrialBatch, horizon: float | None = None) -> dict[str, np.ndarray]:
    """Every patient's endpoints (arrays in patient order), all trials in one pass.

    ``horizon`` (a day, e.g. :data:`RESPONDER_HORIZON_DAYS`) ignores efficacy measurements
    after it: faster, with the same binary endpoints, but start days after day 28 not final.
    """
    days = batch.days
    censor = compute_censoring_day(batch)
    limit = np.where(np.isnan(censor), np.inf, censor)
    if horizon is not None:
        limit = np.minimum(limit, horizon + 1)
    n_days = int(np.searchsorted(days, np.max(limit, initial=-np.inf), side="left"))
    days_used = days[:n_days]
    efficacy = (days_used[None, :] >= FIRST_EFFICACY_DAY) & (days_used[None, :] < limit[:, None])
    platelet_start = _run_start(batch.platelets[:, :n_days], days_used, efficacy, compute_platelet_ok)
    fibrinogen_start = _run_start(batch.fibrinogen[:, :n_days], days_used, efficacy,
                                  compute_fibrinogen_ok)

    in_rebound_window = np.broadcast_to(
        (days >= FIRST_EFFICACY_DAY) & (days <= REBOUND_LAST_DAY), batch.platelets.shape)
    keep = in_rebound_window & ~np.isnan(batch.platelets)
    n = batch.n_patients
    codes = np.broadcast_to(np.arange(n)[:, None], keep.shape)[keep]
    day = np.broadcast_to(days[None, :], keep.shape)[keep]
    rebound = compute_rebound(codes, day, compute_platelet_ok(batch.platelets[keep]), n)

    out = {"censoring_day": censor, "platelet_durable_start_day": platelet_start,
           "fibrinogen_stable_start_day": fibrinogen_start}
    for week in RESPONSE_WEEKS:
        out[f"durable_platelet_response_wk{week}"] = compute_responder(platelet_start, week).astype(np.int8)
    out[f"fibrinogen_stabilization_wk{PRIMARY_WEEK}"] = compute_responder(
        fibrinogen_start, PRIMARY_WEEK).astype(np.int8)
    out["kmp_rebound"] = rebound.astype(np.int8)
    out["discontinued_lack_of_efficacy"] = (batch.discontinued_reason == REASON_LACK_OF_EFFICACY).astype(np.int8)
    return out


def derive_batch_table(batch: TrialBatch) -> pd.DataFrame:
    """:func:`derive_batch_endpoints` as a frame with ``trial`` and ``arm`` columns."""
    k = batch.n_per_trial
    frame = pd.DataFrame({"trial": np.repeat(np.arange(batch.n_trials), k),
                          "arm": batch.arm})
    for name, values in derive_batch_endpoints(batch).items():
        frame[name] = values
    return frame[["trial", "arm", *ENDPOINT_COLUMNS]]


def derive_bundle_endpoints(batch: TrialBatch, trials) -> pd.DataFrame:
    """The chosen trials' bundle through the analysis plan's full derivation
    (:func:`khetrial.endpoints.adsl.derive_analysis_tables`), one row per patient."""
    trials = np.atleast_1d(np.asarray(trials, dtype=np.int64))
    adsl = derive_analysis_tables(batch_bundle(batch, trials)).adsl
    k = batch.n_per_trial
    rows = (trials[:, None] * k + np.arange(k)[None, :]).ravel()
    out = pd.DataFrame({"trial": np.repeat(trials, k), "arm": batch.arm[rows]})
    for name in DAY_COLUMNS:
        out[name] = adsl[name].astype("Float64").to_numpy(dtype="float64", na_value=np.nan)
    for name in SIMULATED_ENDPOINTS:
        out[name] = adsl[name].to_numpy().astype(np.int8)
    return out


def derive_trial_endpoints(batch: TrialBatch, trial: int) -> pd.DataFrame:
    """One trial (73 patients in the publication's design) through the per-trial path."""
    return derive_bundle_endpoints(batch, [trial])
