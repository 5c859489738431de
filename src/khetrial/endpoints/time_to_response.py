"""Time to durable platelet response: the first day of the first durable run, for a
Kaplan–Meier analysis (the publication: prednisolone "could accelerate the time to achieve the
complete remission of KMP").

A patient with a durable run before censoring (the plan's rule, :mod:`.response`) has the event
on the run's first day. Any other patient is censored at the day of their last platelet count on
days ≥ 0 before the censoring day (day 0 without any): that is the last day they were seen
without a durable run starting. A run that starts late still counts, whatever the week.
"""

from __future__ import annotations

import pandas as pd

from khetrial.endpoints._frames import patient_frame
from khetrial.endpoints.response import FIRST_EFFICACY_DAY, _durable_start, compute_platelet_ok
from khetrial.endpoints.windows import derive_before_censoring


def derive_time_to_response(measurements: pd.DataFrame, patients: pd.DataFrame,
                            censoring: pd.DataFrame) -> pd.DataFrame:
    """Per patient: ``arm``, ``time`` (days) and ``event`` (1 = durable response, 0 = censored).

    ``measurements``: the platelet counts with ``day`` (:func:`.response.derive_lab_measurements`);
    ``censoring``: ``patient_id, censoring_day`` (:func:`.censoring.derive_censoring`).
    """
    ids, start = _durable_start(measurements, patients, censoring, compute_platelet_ok)
    seen = derive_before_censoring(measurements[(measurements["day"] >= FIRST_EFFICACY_DAY).to_numpy()],
                                   censoring)
    last_seen = seen.groupby(seen["patient_id"].astype("string"))["day"].max()
    out = patient_frame(patients)
    event = ~pd.isna(start)
    out["event"] = event.astype("int64")
    out["time"] = pd.Series(start, dtype="float64").where(
        event, ids.astype("string").map(last_seen).astype("float64").fillna(0.0).to_numpy()).to_numpy()
    return out[["patient_id", "arm", "time", "event"]]
