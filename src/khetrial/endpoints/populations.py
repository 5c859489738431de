"""Analysis populations beside ITT: the per-protocol set (a sensitivity analysis).

The plan analyses every randomized child (ITT). The per-protocol set (project choice, in the
plan's spirit, documented in ``docs/analysis-plan.md`` "Per-protocol population") keeps the
randomized children who received the allocated treatment and whose primary outcome was observed.
A child is excluded for the first of these reasons (:data:`PER_PROTOCOL_REASONS`, in order):

1. ``no_sirolimus``: no sirolimus course running on a day of 0…7
   (:data:`~khetrial.constants.PER_PROTOCOL_START_DAYS`; running = start ≤ 7 and end empty or ≥ 0);
2. ``no_prednisolone``: arm SP without a prednisolone course running on a day of 0…7;
3. ``prednisolone_in_control``: arm S with a prednisolone course running on a day of 0…7 (the
   other arm's treatment from the start; a course starting later is the plan's rescue steroid,
   a treatment failure that stays in the set as a non-responder, as in ITT);
4. ``discontinued_early``: not a responder, censored by a ``discontinued`` row whose reason is
   not a failure (:data:`~khetrial.constants.PER_PROTOCOL_FAILURE_REASONS`: lack of efficacy,
   progression) before a platelet count on day ≥ 56 settled the primary;
5. ``insufficient_follow_up``: not a responder, no failure, and no platelet count before the
   censoring day on a day ≥ :data:`~khetrial.constants.PER_PROTOCOL_FOLLOW_UP_DAY` (56).

The primary is *observed* (rules 4–5) when the child is a responder; or failed (an
``other_khe_therapy`` course, the control arm's rescue prednisolone or the combination arm's
reintroduction — the plan's intercurrent events, Pub.: "A requirement for any additional KHE- or
KMP-specific intervention was considered treatment failure" — or a discontinuation for lack of
efficacy or progression); or was followed to day 56 (a durable run must start by day 28 and last
28 days). Failures are outcomes, never exclusions: excluding them would flatter the arm that
fails more.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from khetrial.constants import (
    ARM_CONTROL,
    ARM_EXPERIMENTAL,
    PER_PROTOCOL_FAILURE_REASONS,
    PER_PROTOCOL_FOLLOW_UP_DAY,
    PER_PROTOCOL_START_DAYS,
)
from khetrial.endpoints._frames import require_columns
from khetrial.endpoints.adsl import PRIMARY_ENDPOINT
from khetrial.endpoints.censoring import REASONS as CENSORING_REASONS
from khetrial.endpoints.censoring import derive_course_days
from khetrial.endpoints.windows import derive_study_day

PER_PROTOCOL_REASONS = ("no_sirolimus", "no_prednisolone", "prednisolone_in_control", "discontinued_early",
                        "insufficient_follow_up")
"""Why a randomized child is not in the per-protocol set, in the order they are checked."""

FAILURE_CENSORING = CENSORING_REASONS[1:]
"""Censoring reasons that are a treatment failure (other KHE therapy, rescue, reintroduction)."""


def _treated_at_start(courses: pd.DataFrame, drug: str) -> set[str]:
    """Patient ids with a ``drug`` course running on a day of :data:`PER_PROTOCOL_START_DAYS`."""
    first, last = PER_PROTOCOL_START_DAYS
    rows = courses[(courses["drug"].astype("string") == drug).fillna(False).to_numpy()]
    end = rows["end_day"].to_numpy(dtype="float64")
    running = (rows["start_day"].to_numpy(dtype="float64") <= last) & (np.isnan(end) | (end >= first))
    return set(rows.loc[running, "patient_id"].astype("string"))


def _discontinuation_reason(disposition: pd.DataFrame | None, patients: pd.DataFrame) -> pd.Series:
    """Each patient's earliest ``discontinued`` row's reason (by patient id; the first in file
    order on a tie), the row the censoring day comes from."""
    disp = require_columns(disposition, "disposition.csv", ["patient_id", "date", "status", "reason"])
    disp = derive_study_day(disp, patients)
    stopped = disp[(disp["status"].astype("string") == "discontinued").fillna(False).to_numpy()
                   & disp["day"].notna().to_numpy()]
    first = stopped.sort_values("day", kind="stable").drop_duplicates("patient_id", keep="first")
    return pd.Series(first["reason"].astype("string").to_numpy(),
                     index=first["patient_id"].astype("string").to_numpy(), dtype="string")


def _followed_up(platelets: pd.DataFrame, censoring_day: pd.Series) -> set[str]:
    """Patient ids with a platelet count on a day ≥ 56 before their censoring day."""
    ids = platelets["patient_id"].astype("string")
    day = platelets["day"].to_numpy(dtype="float64")
    limit = ids.map(censoring_day).astype("float64").fillna(np.inf).to_numpy()
    late = (day >= PER_PROTOCOL_FOLLOW_UP_DAY) & (day < limit)
    return set(ids[late].to_numpy(dtype=object))


def derive_per_protocol(adsl: pd.DataFrame, patients: pd.DataFrame, medications: pd.DataFrame | None,
                        disposition: pd.DataFrame | None, platelets: pd.DataFrame) -> pd.DataFrame:
    """Per patient (ADSL order): ``patient_id``, ``arm``, ``per_protocol`` (bool) and
    ``pp_exclusion`` (the first of :data:`PER_PROTOCOL_REASONS` that applies, NA when included).

    ``adsl`` needs ``patient_id, arm, censoring_day, censoring_reason`` and the primary;
    ``platelets`` are :func:`khetrial.endpoints.response.derive_lab_measurements` rows
    (``patient_id, day, value``). See the module docstring for the rules.

    >>> import pandas as pd
    >>> patients = pd.DataFrame({"patient_id": ["P1"], "arm": ["S"],
    ...                          "randomization_date": pd.to_datetime(["2018-03-07"])})
    >>> adsl = pd.DataFrame({"patient_id": ["P1"], "arm": ["S"], "censoring_day": [float("nan")],
    ...                      "censoring_reason": pd.array([None], dtype="string"),
    ...                      "durable_platelet_response_wk4": [0]})
    >>> no_counts = pd.DataFrame({"patient_id": [], "day": []})
    >>> derive_per_protocol(adsl, patients, None, None, no_counts)["pp_exclusion"].tolist()
    ['no_sirolimus']
    """
    adsl = require_columns(adsl, "ADSL", ["patient_id", "arm", "censoring_day", "censoring_reason",
                                          PRIMARY_ENDPOINT])
    platelets = require_columns(platelets, "platelet measurements", ["patient_id", "day"])
    courses = derive_course_days(medications, patients)
    ids = adsl["patient_id"].astype("string")
    arm = adsl["arm"].astype("string")
    censoring_day = pd.Series(pd.to_numeric(adsl["censoring_day"], errors="coerce").astype("float64").to_numpy(),
                              index=ids.to_numpy())
    censoring_reason = adsl["censoring_reason"].astype("string")
    stop_reason = ids.map(_discontinuation_reason(disposition, patients)).astype("string")

    responder = (adsl[PRIMARY_ENDPOINT] == 1).fillna(False).to_numpy()
    failed = (censoring_reason.isin(FAILURE_CENSORING)
              | ((censoring_reason == CENSORING_REASONS[0]) & stop_reason.isin(PER_PROTOCOL_FAILURE_REASONS)))
    observed = responder | failed.fillna(False).to_numpy() | ids.isin(_followed_up(platelets, censoring_day)).to_numpy()
    prednisolone = ids.isin(_treated_at_start(courses, "prednisolone")).to_numpy()
    rules = {
        "no_sirolimus": ~ids.isin(_treated_at_start(courses, "sirolimus")).to_numpy(),
        "no_prednisolone": (arm == ARM_EXPERIMENTAL).fillna(False).to_numpy() & ~prednisolone,
        "prednisolone_in_control": (arm == ARM_CONTROL).fillna(False).to_numpy() & prednisolone,
        "discontinued_early": ~observed & (censoring_reason == CENSORING_REASONS[0]).fillna(False).to_numpy(),
        "insufficient_follow_up": ~observed,
    }
    reason = pd.Series(pd.NA, index=adsl.index, dtype="string")
    for name in reversed(PER_PROTOCOL_REASONS):  # the first reason that applies wins
        reason = reason.mask(rules[name], name)
    return pd.DataFrame({"patient_id": ids.to_numpy(), "arm": arm.to_numpy(),
                         "per_protocol": reason.isna().to_numpy(), "pp_exclusion": reason.to_numpy()})


__all__ = ["PER_PROTOCOL_REASONS", "FAILURE_CENSORING", "derive_per_protocol"]
