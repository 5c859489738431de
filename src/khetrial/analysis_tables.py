"""Descriptive tables of the analysis: weekly platelet quartiles and the baseline table.

Small pure functions from derived tables (:mod:`khetrial.endpoints`) to JSON-ready dicts;
:func:`khetrial.analysis.analyse` assembles them into results.json.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from khetrial.endpoints.baseline import CATEGORICAL, CONTINUOUS
from khetrial.constants import ARMS
from khetrial.stats import categorical_test, mann_whitney

QUARTILES = (25, 50, 75)  # SAP: "Median and quartiles (linear interpolation, as numpy's default)"
CATEGORY_LEVELS = {  # bundle format: the closed code lists, reported even when nobody has them
    "sex": ("F", "M"),
    "lesion_depth": ("superficial", "mixed", "deep"),
    "lesion_site": ("head_neck", "trunk", "extremity", "retroperitoneal", "intrathoracic", "other"),
    "previous_khe_therapy": ("yes", "no"),
}


def number(value) -> float | None:
    """A plain float, or ``None`` for a missing or non-finite value (JSON has no NaN)."""
    if value is None or value is pd.NA:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def describe(values) -> dict:
    """``n, mean, min, max, median, q1, q3`` of the non-missing values (``None`` when none)."""
    x = pd.to_numeric(pd.Series(values), errors="coerce").dropna().to_numpy(dtype="float64")
    if len(x) == 0:
        return {"n": 0, "mean": None, "min": None, "max": None, "median": None, "q1": None, "q3": None}
    q1, median, q3 = np.percentile(x, QUARTILES)
    return {"n": int(len(x)), "mean": float(x.mean()), "min": float(x.min()), "max": float(x.max()),
            "median": float(median), "q1": float(q1), "q3": float(q3)}


def compare_continuous(a, b) -> float | None:
    """Two-sided Mann-Whitney p of two samples (missing values dropped; ``None`` when a sample
    is empty or every value ties)."""
    x = pd.to_numeric(pd.Series(a), errors="coerce").dropna().tolist()
    y = pd.to_numeric(pd.Series(b), errors="coerce").dropna().tolist()
    if not x or not y:
        return None
    return mann_whitney([float(v) for v in x], [float(v) for v in y]).p_value


def summarise_platelet_weeks(weeks: pd.DataFrame) -> dict:
    """Per week 0…4 and arm: ``n, median, q1, q3`` of the week values (before censoring)."""
    out: dict = {}
    for week, rows in weeks.groupby("week", sort=True):
        out[str(int(week))] = {arm: {k: v for k, v in describe(rows.loc[rows["arm"] == arm, "value"]).items()
                                     if k in ("n", "median", "q1", "q3")} for arm in ARMS}
    return out


def summarise_baseline(characteristics: pd.DataFrame) -> dict:
    """The SAP's baseline table: continuous rows (per arm n, mean, range, median, quartiles;
    Mann-Whitney p) and categorical rows (per arm counts of each level; Fisher's exact p for a
    2×2 table, chi-square for larger ones, empty levels dropped before testing)."""
    arm = characteristics["arm"].astype("string")
    table: dict = {"continuous": {}, "categorical": {}}
    for column in CONTINUOUS:
        values = {a: characteristics.loc[(arm == a).to_numpy(), column] for a in ARMS}
        table["continuous"][column] = {a: describe(values[a]) for a in ARMS}
        table["continuous"][column]["p_value"] = compare_continuous(*(values[a] for a in ARMS))
    for column in CATEGORICAL:
        text = characteristics[column].astype("string")
        levels = list(CATEGORY_LEVELS.get(column, ()))
        levels += sorted(set(text.dropna()) - set(levels))
        counts = {a: {level: int(((arm == a) & (text == level)).fillna(False).sum()) for level in levels}
                  for a in ARMS}
        grid = [[counts[a][level] for a in ARMS] for level in levels]
        result = categorical_test(grid) if sum(map(sum, grid)) else None
        table["categorical"][column] = {**counts, "p_value": result.p_value if result else None,
                                        "test": result.method if result else None}
    return table
