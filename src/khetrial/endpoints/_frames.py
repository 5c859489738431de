"""Small helpers shared by the derivations: input checks and per-patient frames.

Every derivation receives tables as read by :mod:`khetrial.bundle` (one DataFrame per CSV file,
rows in file order). Optional files may be absent (``None``) or empty; both mean "no records".
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from khetrial.errors import AnalysisError
from khetrial.constants import THRESHOLD_DECIMALS


def require_columns(table: pd.DataFrame | None, name: str, columns: Iterable[str]) -> pd.DataFrame:
    """Return ``table`` (an empty frame with ``columns`` when it is ``None``) after checking
    that it has every column in ``columns``; raise :class:`AnalysisError` otherwise."""
    columns = list(columns)
    if table is None:
        return pd.DataFrame({c: pd.Series(dtype="object") for c in columns})
    if not isinstance(table, pd.DataFrame):
        raise AnalysisError(f"{name}: got a {type(table).__name__}; expected a pandas DataFrame "
                            "(read the bundle with khetrial.bundle.read_bundle)")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise AnalysisError(f"{name}: missing column(s) {', '.join(missing)}; expected at least "
                            f"{', '.join(columns)} (see docs/bundle-format.md)")
    return table


def patient_frame(patients: pd.DataFrame) -> pd.DataFrame:
    """``patient_id`` and ``arm`` of every patient, in file order, as a fresh frame."""
    patients = require_columns(patients, "patients.csv", ["patient_id", "arm"])
    out = pd.DataFrame({"patient_id": patients["patient_id"].astype("string").to_numpy(),
                        "arm": patients["arm"].astype("string").to_numpy()})
    duplicated = out["patient_id"][out["patient_id"].duplicated()]
    if len(duplicated):
        raise AnalysisError(f"patients.csv: patient_id {duplicated.iloc[0]!r} appears more than "
                            "once; expected one row per patient")
    return out


def per_patient(patients: pd.DataFrame, values: pd.DataFrame, fill: dict | None = None) -> pd.DataFrame:
    """Left-join ``values`` (keyed by ``patient_id``, one row per patient) onto every patient,
    keeping the patients' file order; fill the columns named in ``fill`` for absent patients."""
    base = pd.DataFrame({"patient_id": patients["patient_id"].astype("string").to_numpy()})
    out = base.merge(values, on="patient_id", how="left", sort=False)
    for column, value in (fill or {}).items():
        out[column] = out[column].fillna(value)
    return out


def exact(values) -> np.ndarray:
    """Values rounded to ``THRESHOLD_DECIMALS`` decimals, so that a comparison with a threshold
    written as a decimal is exact (SAP: "round the change to 10 decimals before comparing")."""
    return np.round(np.asarray(values, dtype="float64"), THRESHOLD_DECIMALS)


_NEAR = 1e-6  # far wider than the 10-decimal rounding (≤ 5e-11) and float error at values ≤ 1e4


def compare_exact(values, threshold, op) -> np.ndarray:
    """``op(exact(values), threshold)`` (``op`` e.g. ``np.greater_equal``), fast: only values
    within 1e-6 of the threshold are rounded; farther ones compare the same either way."""
    x = np.asarray(values, dtype="float64")
    threshold = float(threshold)
    out = op(x, threshold)
    near = np.abs(x - threshold) < _NEAR
    if near.any():
        out[near] = op(exact(x[near]), threshold)
    return out


def numeric(series: pd.Series) -> pd.Series:
    """A column as float64 with missing values as NaN (accepts Int64/Float64/object)."""
    return pd.to_numeric(series, errors="coerce").astype("float64")
