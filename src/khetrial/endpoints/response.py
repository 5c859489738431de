"""Durable platelet response, fibrinogen stabilization and KMP rebound (SAP, exact).

A *run* is a maximal sequence of consecutive measurements (sorted by day) that all meet the
threshold and in which no two consecutive measurements are more than 14 days apart; it is
*durable* when its last day − its first day ≥ 28. A patient responds at week k when a durable
run has its first day ≤ 7k (measurements on days ≥ 0 before the censoring day). KMP rebound:
on all platelet measurements of days 0…730, a durable run and a later measurement < 100.

Public kernels (the hot path of trial simulations; plain numpy, no Python loop over patients)
-------------------------------------------------------------------------------------------
All take parallel 1-D arrays **sorted by (patient_codes, days)**, one element per measurement:

- ``patient_codes``: int, 0 … n_patients−1 (e.g. ``pd.Categorical(ids).codes``);
- ``days``: study days (int or float);
- ``values_ok``: bool, the measurement meets the threshold (see :func:`compute_platelet_ok`,
  :func:`compute_fibrinogen_ok`).

:func:`compute_durable_run_start` returns, per patient code, the first day of the patient's
first durable run (NaN when none); :func:`compute_rebound` returns, per patient code, whether a
measurement not meeting the threshold follows the first day of a durable run. Responder at
week k: ``start <= 7 * k`` (:func:`compute_responder`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from khetrial.endpoints._frames import compare_exact, numeric, patient_frame, require_columns
from khetrial.endpoints.windows import derive_before_censoring, derive_last_of_date, derive_study_day
from khetrial.errors import AnalysisError
from khetrial.constants import (
    DAYS_PER_WEEK,
    DURABLE_RUN_MIN_DAYS,
    FIBRINOGEN_STABLE_THRESHOLD,
    PLATELET_RESPONSE_THRESHOLD,
    PRIMARY_WEEK,
    REBOUND_LAST_DAY,
    RESPONSE_WEEKS,
    RUN_MAX_GAP_DAYS,
)

FIRST_EFFICACY_DAY = 0  # SAP: "measurements on days ≥ 0 before the censoring day"


# --- kernels ---------------------------------------------------------------------------------
def compute_platelet_ok(values) -> np.ndarray:
    """Platelets ≥ 100 ×10⁹/L, exact on the decimals as written."""
    return compare_exact(values, PLATELET_RESPONSE_THRESHOLD, np.greater_equal)


def compute_fibrinogen_ok(values) -> np.ndarray:
    """Fibrinogen > 1.6 g/L (strictly), exact on the decimals as written."""
    return compare_exact(values, FIBRINOGEN_STABLE_THRESHOLD, np.greater)


def _check_sorted(codes: np.ndarray, days: np.ndarray) -> None:
    if len(codes) < 2:
        return
    dc = np.diff(codes)
    if np.any(dc < 0) or np.any((dc == 0) & (np.diff(days) < 0)):
        raise AnalysisError("run detection: got measurements not sorted by (patient, day); "
                            "expected arrays sorted by patient code then day (use np.lexsort)")


def compute_durable_run_start(patient_codes, days, values_ok, n_patients: int | None = None,
                              max_gap: float = RUN_MAX_GAP_DAYS,
                              min_length: float = DURABLE_RUN_MIN_DAYS) -> np.ndarray:
    """First day of each patient's first durable run (float array of length ``n_patients``,
    NaN when the patient has none). Inputs sorted by (patient, day); see the module doc."""
    codes = np.asarray(patient_codes, dtype=np.int64)
    day = np.asarray(days, dtype=np.float64)
    ok = np.asarray(values_ok, dtype=bool)
    if not (len(codes) == len(day) == len(ok)):
        raise AnalysisError(f"run detection: got arrays of lengths {len(codes)}, {len(day)}, "
                            f"{len(ok)}; expected one element per measurement in each")
    if n_patients is None:
        n_patients = int(codes.max()) + 1 if len(codes) else 0
    out = np.full(n_patients, np.nan)
    if len(codes) == 0:
        return out
    _check_sorted(codes, day)
    # A measurement continues the previous one's run when both meet the threshold, belong to
    # the same patient and are at most max_gap days apart.
    continues = np.zeros(len(codes), dtype=bool)
    continues[1:] = (ok[1:] & ok[:-1] & (codes[1:] == codes[:-1])
                     & (day[1:] - day[:-1] <= max_gap))
    starts = ok & ~continues
    ends = ok & np.append(~continues[1:], True)
    first_idx = np.flatnonzero(starts)
    last_idx = np.flatnonzero(ends)
    durable = (day[last_idx] - day[first_idx]) >= min_length
    durable_first = first_idx[durable]
    owner = codes[durable_first]
    first_of_patient = np.ones(len(owner), dtype=bool)
    first_of_patient[1:] = owner[1:] != owner[:-1]
    out[owner[first_of_patient]] = day[durable_first[first_of_patient]]
    return out


def compute_rebound(patient_codes, days, values_ok, n_patients: int | None = None,
                    max_gap: float = RUN_MAX_GAP_DAYS,
                    min_length: float = DURABLE_RUN_MIN_DAYS) -> np.ndarray:
    """Per patient code: a durable run and a later measurement not meeting the threshold
    (bool array of length ``n_patients``). Inputs sorted by (patient, day)."""
    codes = np.asarray(patient_codes, dtype=np.int64)
    day = np.asarray(days, dtype=np.float64)
    ok = np.asarray(values_ok, dtype=bool)
    start = compute_durable_run_start(codes, day, ok, n_patients, max_gap, min_length)
    out = np.zeros(len(start), dtype=bool)
    if len(codes):
        later_low = ~ok & (day > start[codes])  # NaN start compares False
        out[codes[later_low]] = True
    return out


def compute_responder(durable_start, week: int) -> np.ndarray:
    """Responder at week ``week``: a durable run whose first day is ≤ 7·week."""
    start = np.asarray(durable_start, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        return start <= DAYS_PER_WEEK * week


# --- derivations -----------------------------------------------------------------------------
def derive_lab_measurements(labs: pd.DataFrame, patients: pd.DataFrame, test: str) -> pd.DataFrame:
    """The ``test`` rows of labs.csv that are measurements (non-empty value), one per date (the
    last in file order), with ``day`` and a float ``value``; file order kept."""
    labs = require_columns(labs, "labs.csv", ["patient_id", "date", "test", "value"])
    tests = labs["test"]
    if isinstance(tests.dtype, pd.CategoricalDtype):  # the bundle's: compared by codes
        of_test = (tests == test).to_numpy(dtype=bool)
    else:
        of_test = (tests.astype("string") == test).fillna(False).to_numpy(dtype=bool)
    rows = labs[["patient_id", "date", "value"]][of_test]
    rows["value"] = numeric(rows["value"])
    rows = derive_last_of_date(rows, ("patient_id", "date"), "value")
    return derive_study_day(rows, patients)


def _sorted_arrays(measurements: pd.DataFrame, ids: pd.Series):
    codes = pd.Categorical(measurements["patient_id"].astype("string"), categories=ids).codes
    known = (codes >= 0) & measurements["day"].notna().to_numpy()
    codes = codes[known].astype(np.int64)
    day = measurements["day"].to_numpy(dtype="float64")[known]
    value = measurements["value"].to_numpy(dtype="float64")[known]
    order = np.lexsort((day, codes))
    return codes[order], day[order], value[order]


def _durable_start(measurements, patients, censoring, is_ok) -> tuple[pd.Series, np.ndarray]:
    ids = patient_frame(patients)["patient_id"]
    used = measurements[(measurements["day"] >= FIRST_EFFICACY_DAY).to_numpy()]
    used = derive_before_censoring(used, censoring)
    codes, day, value = _sorted_arrays(used, ids)
    return ids, compute_durable_run_start(codes, day, is_ok(value), len(ids))


def derive_platelet_response(measurements: pd.DataFrame, patients: pd.DataFrame,
                             censoring: pd.DataFrame,
                             weeks: Sequence[int] = RESPONSE_WEEKS) -> pd.DataFrame:
    """Per patient: ``platelet_durable_start_day`` (first day of the first durable run before
    censoring; NaN when none) and ``durable_platelet_response_wk{k}`` (0/1) for each week k."""
    ids, start = _durable_start(measurements, patients, censoring, compute_platelet_ok)
    out = pd.DataFrame({"patient_id": ids, "platelet_durable_start_day": start})
    for week in weeks:
        out[f"durable_platelet_response_wk{week}"] = compute_responder(start, week).astype("int64")
    return out


def derive_fibrinogen_stabilization(measurements: pd.DataFrame, patients: pd.DataFrame,
                                    censoring: pd.DataFrame) -> pd.DataFrame:
    """Per patient: ``fibrinogen_stable_start_day`` and ``fibrinogen_stabilization_wk4`` (0/1):
    a durable run of fibrinogen > 1.6 g/L starting by day 28, before censoring."""
    ids, start = _durable_start(measurements, patients, censoring, compute_fibrinogen_ok)
    return pd.DataFrame({"patient_id": ids, "fibrinogen_stable_start_day": start,
                         f"fibrinogen_stabilization_wk{PRIMARY_WEEK}":
                             compute_responder(start, PRIMARY_WEEK).astype("int64")})


def derive_kmp_rebound(measurements: pd.DataFrame, patients: pd.DataFrame) -> pd.DataFrame:
    """Per patient: ``kmp_rebound`` (0/1) from all platelet measurements of days 0…730, no
    censoring: a durable run and a later measurement < 100 ×10⁹/L."""
    ids = patient_frame(patients)["patient_id"]
    day = measurements["day"]
    used = measurements[((day >= FIRST_EFFICACY_DAY) & (day <= REBOUND_LAST_DAY)).to_numpy()]
    codes, day, value = _sorted_arrays(used, ids)
    rebound = compute_rebound(codes, day, compute_platelet_ok(value), len(ids))
    return pd.DataFrame({"patient_id": ids, "kmp_rebound": rebound.astype("int64")})
