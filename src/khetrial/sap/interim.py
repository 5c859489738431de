"""An interim look: the bundle as it stood at a data cut-off date.

:func:`cut_bundle` keeps what was known on the cut-off day (project choice): patients randomized
on or before it, and their rows dated on or before it (labs, troughs, MRI, PedsQL, transfusions,
sequelae, dispositions, screening; an adverse event or a medication course by its start, an
end after the cut-off becomes "ongoing"). The plan's rules then run unchanged; the completeness
rule (:mod:`khetrial.endpoints.completeness`) says who is not yet evaluable.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from khetrial.bundle.model import Bundle

START_COLUMNS = {"patients": "randomization_date", "medications": "start_date", "adverse_events": "onset_date"}
"""The date that decides whether a row existed at the cut-off (default ``date``)."""
END_COLUMNS = ("end_date",)
"""Dates after the cut-off that are cleared (not yet known: the course or event is ongoing)."""


def cut_bundle(bundle: Bundle, cutoff: date) -> Bundle:
    """``bundle`` as known on ``cutoff`` (see the module docstring); the input is not changed."""
    limit = pd.Timestamp(cutoff)
    patients = bundle.patients
    kept = patients.loc[(pd.to_datetime(patients["randomization_date"]) <= limit).fillna(False).to_numpy(), "patient_id"]
    frames = {}
    for name, frame in bundle.tables.items():
        column = START_COLUMNS.get(name, "date")
        rows = frame
        if column in rows.columns:
            rows = rows[(pd.to_datetime(rows[column]) <= limit).fillna(name == "screening").to_numpy()]
        if name != "screening" and "patient_id" in rows.columns:
            rows = rows[rows["patient_id"].isin(kept).to_numpy()]
        rows = rows.copy()
        for end in END_COLUMNS:
            if end in rows.columns:
                later = (pd.to_datetime(rows[end]) > limit).fillna(False).to_numpy()
                rows.loc[later, end] = pd.NaT
        frames[name] = rows.reset_index(drop=True)
    return Bundle.from_tables(**frames)
