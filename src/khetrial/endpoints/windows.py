"""Time: study day, duplicate rows of one date, baseline and "closest to" windows.

SAP "Time": study day = date − randomization_date; the baseline value of a lab is the last
measurement on days −14…0; week *w* value = the measurement closest to day 7w within ±3 days;
month 12 = closest to day 365 within 335…395; month 24 = closest to day 730 within 670…790; in
every "closest to" rule a tie goes to the earlier date. A row with an empty value is no
measurement; several rows on one date: the last row in file order wins.

Every function returns a new frame and leaves its input untouched. Per-patient selections
return one row per patient that has a value (patients without one are absent), with the
columns of the chosen row.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from khetrial.endpoints._frames import require_columns
from khetrial.constants import (
    BASELINE_LAB_WINDOW,
    DAYS_PER_WEEK,
    RESPONSE_WEEKS,
    WEEK_WINDOW_HALF_WIDTH,
)

_ORDER = "_file_order"
_DISTANCE = "_distance"


def as_days(dates) -> np.ndarray:
    """Dates as ``datetime64[D]`` (NaT when missing); dates already ``datetime64`` as they are,
    anything else through ``pd.to_datetime``."""
    values = np.asarray(dates)
    if values.dtype.kind == "M":
        return values.astype("datetime64[D]")
    return np.asarray(pd.to_datetime(pd.Series(dates)).to_numpy(), dtype="datetime64[D]")


def compute_study_day(dates, randomization_dates) -> pd.Series:
    """Study day (float; NaN when either date is missing) = date − randomization date."""
    dates = as_days(dates)
    day0 = as_days(randomization_dates)
    delta = (dates - day0).astype("float64")
    delta[np.isnat(dates) | np.isnat(day0)] = np.nan
    return pd.Series(delta)


def derive_study_day(table: pd.DataFrame, patients: pd.DataFrame, date_col: str = "date",
                     day_col: str = "day") -> pd.DataFrame:
    """Add ``day_col``: the study day of ``date_col`` (NaN for an unknown patient or date)."""
    require_columns(table, "table", ["patient_id", date_col])
    require_columns(patients, "patients.csv", ["patient_id", "randomization_date"])
    position = pd.Index(patients["patient_id"].astype("string")).get_indexer(
        table["patient_id"].astype("string"))
    day0 = as_days(patients["randomization_date"])
    randomized = np.where(position >= 0, day0[np.maximum(position, 0)] if len(day0) else np.datetime64("NaT", "D"),
                          np.datetime64("NaT", "D"))
    out = table.copy()
    out[day_col] = compute_study_day(out[date_col].to_numpy(), randomized).to_numpy()
    return out


def derive_last_of_date(table: pd.DataFrame, keys: Sequence[str] = ("patient_id", "date"),
                        value_col: str | None = "value") -> pd.DataFrame:
    """Drop rows whose ``value_col`` is empty (no measurement), then keep, of several rows with
    the same ``keys``, the last one in file order. The kept rows stay in file order."""
    keys = list(keys)
    out = table
    if value_col is not None:
        out = out[out[value_col].notna().to_numpy()]
    return out[~out.duplicated(keys, keep="last").to_numpy()].copy()


def derive_before_censoring(table: pd.DataFrame, censoring: pd.DataFrame,
                            day_col: str = "day") -> pd.DataFrame:
    """Keep the rows dated before the patient's censoring day (all rows of an uncensored
    patient). ``censoring`` has ``patient_id`` and ``censoring_day`` (NaN = none)."""
    limit = pd.Series(censoring["censoring_day"].to_numpy(dtype="float64"),
                      index=censoring["patient_id"].astype("string").to_numpy())
    cut = table["patient_id"].astype("string").map(limit).to_numpy(dtype="float64")
    day = table[day_col].to_numpy(dtype="float64")
    keep = np.isnan(cut) | (day < cut)
    return table[keep].copy()


def _in_window(table: pd.DataFrame, window: tuple[int, int], day_col: str) -> pd.DataFrame:
    day = table[day_col].to_numpy(dtype="float64")
    inside = (day >= window[0]) & (day <= window[1])
    out = table[inside].copy()
    out[_ORDER] = np.arange(len(out))
    return out


def derive_last_in_window(table: pd.DataFrame, window: tuple[int, int],
                          day_col: str = "day") -> pd.DataFrame:
    """Per patient, the row with the latest day in ``window`` (inclusive); of several rows on
    that day the last in file order. Used for baselines ("the last measurement on days −14…0")."""
    out = _in_window(table, window, day_col)
    out = out.sort_values(["patient_id", day_col, _ORDER], kind="stable")
    out = out.drop_duplicates("patient_id", keep="last")
    return out.drop(columns=_ORDER).reset_index(drop=True)


def derive_closest_in_window(table: pd.DataFrame, target: int, window: tuple[int, int],
                             day_col: str = "day") -> pd.DataFrame:
    """Per patient, the row closest to day ``target`` within ``window`` (inclusive); a tie in
    distance goes to the earlier date; several rows on one date: the last in file order."""
    out = _in_window(table, window, day_col)
    out[_DISTANCE] = np.abs(out[day_col].to_numpy(dtype="float64") - target)
    out = out.sort_values(["patient_id", _DISTANCE, day_col, _ORDER],
                          ascending=[True, True, True, False], kind="stable")
    out = out.drop_duplicates("patient_id", keep="first")
    return out.drop(columns=[_ORDER, _DISTANCE]).reset_index(drop=True)


def week_window(week: int) -> tuple[int, int]:
    """The days of week ``week``'s window: 7w ± 3."""
    target = DAYS_PER_WEEK * week
    return target - WEEK_WINDOW_HALF_WIDTH, target + WEEK_WINDOW_HALF_WIDTH


def derive_week_values(measurements: pd.DataFrame, weeks: Sequence[int] = RESPONSE_WEEKS,
                       day_col: str = "day", value_col: str = "value") -> pd.DataFrame:
    """Long table ``patient_id, week, day, value`` of the baseline (week 0: last on days
    −14…0) and the week values (closest to day 7w within ±3 days, tie to the earlier date).
    ``measurements`` holds one test, one row per date (see :func:`derive_last_of_date`)."""
    parts = [derive_last_in_window(measurements, BASELINE_LAB_WINDOW, day_col).assign(week=0)]
    for week in weeks:
        chosen = derive_closest_in_window(measurements, DAYS_PER_WEEK * week, week_window(week), day_col)
        parts.append(chosen.assign(week=week))
    out = pd.concat(parts, ignore_index=True)[["patient_id", "week", day_col, value_col]]
    out = out.rename(columns={day_col: "day", value_col: "value"})
    out["week"] = out["week"].astype("int64")
    return out.sort_values(["patient_id", "week"], kind="stable").reset_index(drop=True)
