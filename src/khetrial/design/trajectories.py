"""Simulated trials, all at once: platelet and fibrinogen trajectories and intercurrent events.

:func:`simulate_trials` draws ``n_trials`` whole trials of a :class:`~khetrial.design.scenario.
Scenario` as numpy arrays with one row per patient of every trial (trial ``t``'s patient ``i``
is row ``t · n + i``; the experimental arm's patients come first in each trial). Measurements
are on the scenario's fixed schedule (``days``), a missing one is NaN. The model and its
parameters are documented on :class:`~khetrial.design.scenario.ArmModel`.

:func:`batch_bundle` turns chosen trials of a batch into bundle tables (patients, labs,
medications, disposition, as ``khetrial.bundle`` reads them) for the per-trial path.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from khetrial.bundle.model import Bundle
from khetrial.design.scenario import Scenario
from khetrial.constants import (
    ARMS,
    DAYS_PER_WEEK,
    FIBRINOGEN_STABLE_THRESHOLD,
    PLATELET_RESPONSE_THRESHOLD,
    PREDNISOLONE_REINTRODUCTION_GAP_DAYS,
    PRIMARY_WEEK,
)

PLATELET_THRESHOLD = float(PLATELET_RESPONSE_THRESHOLD)
FIBRINOGEN_THRESHOLD = float(FIBRINOGEN_STABLE_THRESHOLD)
#: Below-threshold values are kept at most this fraction of the threshold (rounding keeps them
#: strictly below: 99 ×10⁹/L, 1.58 g/L).
BELOW_THRESHOLD_FRACTION = 0.99
NONRESPONSE_APPROACH_DAYS = 28.0  # a non-responder's count levels off over the first 4 weeks
CEILING_SD_LOG = 0.3  # spread of non-responders' levels (log scale)
REBOUND_NADIR = (30.0, 80.0)  # ×10⁹/L, the count at a rebound visit
RESCUE_AFTER_DAY = PRIMARY_WEEK * DAYS_PER_WEEK  # rescue only without a response by day 28
# SAP: reintroduction "more than 7 days after the latest end": the first day that counts
REINTRODUCTION_MIN_GAP = PREDNISOLONE_REINTRODUCTION_GAP_DAYS + 1
RESCUE_COURSE_DAYS = 28  # simulator choice: a rescue prednisolone course lasts 4 weeks
RANDOMIZATION_DATE = np.datetime64("2020-01-01")  # day 0 of every simulated patient (bundle path)
PATIENT_ID_FORMAT = "T{trial:06d}-{patient:03d}"
REASON_NONE, REASON_LACK_OF_EFFICACY, REASON_PARENT_REQUEST = 0, 1, 2
REASON_CODES = {REASON_LACK_OF_EFFICACY: "lack_of_efficacy", REASON_PARENT_REQUEST: "parent_request"}


@dataclass(frozen=True)
class TrialBatch:
    """``n_trials`` simulated trials of ``n_experimental + n_control`` patients each.

    Per patient (length ``n_trials · n_per_trial``): ``arm`` (0 = experimental, 1 = control,
    the index in :data:`~khetrial.constants.ARMS`), ``discontinued_day`` and
    ``discontinued_reason`` (NaN / 0 when none; reasons in :data:`REASON_CODES`),
    ``rescue_day`` (prednisolone started (S) or reintroduced (SP); NaN when none),
    ``initial_prednisolone_days`` (the protocol course from day 0; 0 = none). Per patient and
    scheduled day: ``platelets`` (×10⁹/L) and ``fibrinogen`` (g/L), NaN when missing.
    """

    n_trials: int
    n_experimental: int
    n_control: int
    days: np.ndarray
    arm: np.ndarray
    platelets: np.ndarray
    fibrinogen: np.ndarray
    discontinued_day: np.ndarray
    discontinued_reason: np.ndarray
    rescue_day: np.ndarray
    initial_prednisolone_days: np.ndarray

    @property
    def n_per_trial(self) -> int:
        return self.n_experimental + self.n_control

    @property
    def n_patients(self) -> int:
        return self.n_trials * self.n_per_trial


def _uniform_days(rng: np.random.Generator, ranges: np.ndarray) -> np.ndarray:
    """Whole days drawn uniformly from each patient's [first, last] range."""
    return np.floor(ranges[:, 0] + rng.random(len(ranges)) * (ranges[:, 1] - ranges[:, 0] + 1))


def _trajectory(rng, days, baseline, cross_day, plateau, ceiling, threshold, rise_days,
                noise_sd, decimals):
    """Values on ``days``: log-linear from ``baseline`` to ``threshold`` on ``cross_day``, then to
    ``plateau`` over ``rise_days``; non-responders (``cross_day`` = inf) level off at
    ``ceiling`` over the first 4 weeks. Multiplicative log-normal noise; values before the
    crossing (and all of a non-responder's) stay below the threshold.

    Piecewise linear in log scale: from (0, log baseline) to (t1, l1), then to (t1 + rise, l2).
    """
    responder = np.isfinite(cross_day)
    f32 = np.float32
    t1 = np.where(responder, cross_day, NONRESPONSE_APPROACH_DAYS).astype(f32)[:, None]
    l0 = np.log(baseline).astype(f32)[:, None]
    l1 = np.where(responder, np.log(threshold), np.log(ceiling)).astype(f32)[:, None]
    l2 = np.where(responder, np.log(plateau), np.log(ceiling)).astype(f32)[:, None]
    inv_rise = (1.0 / np.where(responder, rise_days, 1.0)).astype(f32)[:, None]
    t = days.astype(f32)[None, :]
    first = t < t1
    log_v = np.where(first, l0 + (t / t1) * (l1 - l0),
                     l1 + np.minimum((t - t1) * inv_rise, f32(1.0)) * (l2 - l1))
    log_v += noise_sd.astype(f32)[:, None] * rng.standard_normal(log_v.shape, dtype=f32)
    values = np.exp(log_v, out=log_v).astype(np.float64)  # rounding happens in float64
    below = first | ~responder[:, None]
    cap = threshold * BELOW_THRESHOLD_FRACTION
    np.minimum(values, cap, out=values, where=below)
    values = np.rint(values, out=values) if decimals == 0 else np.round(values, decimals, out=values)
    return np.maximum(values, 10.0 ** -decimals, out=values)


def simulate_trials(scenario: Scenario, n_trials: int, rng: np.random.Generator) -> TrialBatch:
    """Draw ``n_trials`` trials of ``scenario`` (all patients of all trials in one array pass)."""
    models = [scenario.arms[a] for a in ARMS]
    sizes = [m.n for m in models]
    arm = np.tile(np.repeat(np.arange(len(ARMS), dtype=np.int8), sizes), n_trials)
    n = len(arm)
    days = np.asarray(scenario.schedule.days(), dtype=np.float64)

    def par(name: str) -> np.ndarray:
        return np.asarray([getattr(m, name) for m in models], dtype=np.float64)[arm]

    def span(name: str) -> np.ndarray:
        return np.asarray([getattr(m, name) for m in models], dtype=np.float64)[arm]

    def lognormal(median: str, sd: str, z: np.ndarray | None = None) -> np.ndarray:
        z = rng.standard_normal(n) if z is None else z
        return par(median) * np.exp(par(sd) * z)

    # Platelets
    z_platelets = rng.standard_normal(n)
    responds = rng.random(n) < par("response_probability")
    response_day = np.where(responds, lognormal("response_day_median", "response_day_sd_log",
                                                z_platelets), np.inf)
    cap = PLATELET_THRESHOLD * BELOW_THRESHOLD_FRACTION
    baseline = np.minimum(lognormal("platelet_baseline_median", "platelet_baseline_sd_log"), cap)
    plateau = np.maximum(lognormal("platelet_plateau_median", "platelet_plateau_sd_log"),
                         PLATELET_THRESHOLD)
    ceiling = np.minimum(par("nonresponse_ceiling_median") * np.exp(CEILING_SD_LOG * rng.standard_normal(n)), cap)
    platelets = _trajectory(rng, days, baseline, response_day, plateau, ceiling,
                            PLATELET_THRESHOLD, par("platelet_rise_days"),
                            par("platelet_noise_sd_log"), 0)
    rebound = responds & (rng.random(n) < par("rebound_probability"))
    rebound_at = np.searchsorted(days, _uniform_days(rng, span("rebound_day_range")))
    rows = np.flatnonzero(rebound & (rebound_at < len(days)))
    lo, hi = REBOUND_NADIR
    platelets[rows, rebound_at[rows]] = np.round(lo + rng.random(len(rows)) * (hi - lo))

    # Fibrinogen, its stabilization day correlated with the platelet response day
    rho = par("fibrinogen_platelet_correlation")
    z_fib = rho * z_platelets + np.sqrt(1 - rho ** 2) * rng.standard_normal(n)
    stabilizes = rng.random(n) < par("fibrinogen_response_probability")
    fib_day = np.where(stabilizes, lognormal("fibrinogen_day_median", "fibrinogen_day_sd_log",
                                             z_fib), np.inf)
    fcap = FIBRINOGEN_THRESHOLD * BELOW_THRESHOLD_FRACTION
    fib_base = np.minimum(lognormal("fibrinogen_baseline_median", "fibrinogen_baseline_sd_log"), fcap)
    fib_plateau = np.maximum(lognormal("fibrinogen_plateau_median", "fibrinogen_plateau_sd_log"),
                             FIBRINOGEN_THRESHOLD)
    fib_ceiling = np.minimum(par("fibrinogen_ceiling_median") * np.exp(CEILING_SD_LOG * rng.standard_normal(n)), fcap)
    fibrinogen = _trajectory(rng, days, fib_base, fib_day, fib_plateau, fib_ceiling,
                             FIBRINOGEN_THRESHOLD, par("fibrinogen_rise_days"),
                             par("fibrinogen_noise_sd_log"), 2)

    missing = par("missing_probability").astype(np.float32)[:, None]
    platelets[rng.random(platelets.shape, dtype=np.float32) < missing] = np.nan
    fibrinogen[rng.random(fibrinogen.shape, dtype=np.float32) < missing] = np.nan

    # Intercurrent events
    lack = ~responds & (rng.random(n) < par("lack_of_efficacy_probability"))
    lack_day = np.where(lack, _uniform_days(rng, span("lack_of_efficacy_day_range")), np.inf)
    dropout = rng.random(n) < par("dropout_probability")
    dropout_day = np.where(dropout, _uniform_days(rng, span("dropout_day_range")), np.inf)
    stop_day = np.minimum(lack_day, dropout_day)
    reason = np.where(np.isinf(stop_day), REASON_NONE,
                      np.where(lack_day <= dropout_day, REASON_LACK_OF_EFFICACY,
                               REASON_PARENT_REQUEST)).astype(np.int8)
    initial_pred = par("initial_prednisolone_days")
    rescued = (response_day > RESCUE_AFTER_DAY) & (rng.random(n) < par("rescue_probability"))
    rescue_day = _uniform_days(rng, span("rescue_day_range"))
    rescue_day = np.where(initial_pred > 0, np.maximum(rescue_day, initial_pred + REINTRODUCTION_MIN_GAP),
                          np.maximum(rescue_day, 1.0))
    return TrialBatch(
        n_trials=n_trials, n_experimental=sizes[0], n_control=sizes[1], days=days, arm=arm,
        platelets=platelets, fibrinogen=fibrinogen,
        discontinued_day=np.where(np.isinf(stop_day), np.nan, stop_day),
        discontinued_reason=reason, rescue_day=np.where(rescued, rescue_day, np.nan),
        initial_prednisolone_days=initial_pred,
    )


# --- the per-trial path: bundle tables -----------------------------------------------------------
def _dates(days: np.ndarray) -> np.ndarray:
    return RANDOMIZATION_DATE + days.astype("int64").astype("timedelta64[D]")


def batch_bundle(batch: TrialBatch, trials) -> Bundle:
    """The :class:`Bundle` of the chosen trials (``patients``, ``labs``, ``medications``,
    ``disposition``; the other tables empty), one row per record as in ``docs/bundle-format.md``; patient ids are unique
    across trials (:data:`PATIENT_ID_FORMAT`)."""
    trials = np.atleast_1d(np.asarray(trials, dtype=np.int64))
    k = batch.n_per_trial
    rows = (trials[:, None] * k + np.arange(k)[None, :]).ravel()
    ids = np.array([PATIENT_ID_FORMAT.format(trial=t, patient=i) for t in trials for i in range(k)],
                   dtype=object)
    arm_codes = np.asarray(ARMS, dtype=object)[batch.arm[rows]]
    patients = pd.DataFrame({"patient_id": ids, "arm": arm_codes,
                             "randomization_date": np.repeat(RANDOMIZATION_DATE, len(rows))})

    lab_parts = []
    for test, values in (("platelets", batch.platelets), ("fibrinogen", batch.fibrinogen)):
        v = values[rows]
        p, d = np.nonzero(~np.isnan(v))
        lab_parts.append(pd.DataFrame({"patient_id": ids[p], "date": _dates(batch.days[d]),
                                       "test": test, "value": v[p, d]}))
    labs = pd.concat(lab_parts, ignore_index=True)

    meds = [pd.DataFrame({"patient_id": ids, "drug": "sirolimus",
                          "start_date": _dates(np.zeros(len(rows))), "end_date": pd.NaT})]
    initial = batch.initial_prednisolone_days[rows]
    has = initial > 0
    meds.append(pd.DataFrame({"patient_id": ids[has], "drug": "prednisolone",
                              "start_date": _dates(np.zeros(has.sum())),
                              "end_date": _dates(initial[has])}))
    rescue = batch.rescue_day[rows]
    got = ~np.isnan(rescue)
    meds.append(pd.DataFrame({"patient_id": ids[got], "drug": "prednisolone",
                              "start_date": _dates(rescue[got]),
                              "end_date": _dates(rescue[got] + RESCUE_COURSE_DAYS)}))
    medications = pd.concat(meds, ignore_index=True)

    stop = batch.discontinued_day[rows]
    stopped = ~np.isnan(stop)
    disposition = pd.DataFrame({
        "patient_id": ids[stopped], "date": _dates(stop[stopped]), "status": "discontinued",
        "reason": [REASON_CODES[int(r)] for r in batch.discontinued_reason[rows][stopped]]})
    return Bundle.from_tables(patients=patients, labs=labs, medications=medications, disposition=disposition)
