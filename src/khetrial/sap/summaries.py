"""Descriptive tables of the analysis: weekly platelet quartiles and the baseline table.

Small pure functions from derived tables (:mod:`khetrial.endpoints`) to typed results
(:mod:`khetrial.sap.results`); :func:`khetrial.sap.analyse` assembles them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from khetrial.bundle.format import TABLE_SPECS
from khetrial.constants import ARMS
from khetrial.endpoints.baseline import CATEGORICAL, CONTINUOUS
from khetrial.sap.results import Baseline, CategoricalRow, ContinuousRow, Distribution, WeekSummary
from khetrial.stats import categorical_test, mann_whitney

QUARTILES = (25, 50, 75)  # SAP: "Median and quartiles (linear interpolation, as numpy's default)"
PREVIOUS_THERAPY_LEVELS = ("yes", "no")  # project choice: the derived previous_khe_therapy column
CATEGORY_LEVELS = {  # the closed code lists (bundle format), reported even when nobody has them
    **{column: TABLE_SPECS["patients"].column(column).codes for column in ("sex", "lesion_depth", "lesion_site")},
    "previous_khe_therapy": PREVIOUS_THERAPY_LEVELS,
}


def distribution(values) -> Distribution:
    """``n, mean, min, max, median, q1, q3`` of the non-missing values (``None`` when none)."""
    x = pd.to_numeric(pd.Series(values), errors="coerce").dropna().to_numpy(dtype="float64")
    if len(x) == 0:
        return Distribution(n=0)
    q1, median, q3 = np.percentile(x, QUARTILES)
    return Distribution(n=int(len(x)), mean=float(x.mean()), min=float(x.min()), max=float(x.max()),
                        median=float(median), q1=float(q1), q3=float(q3))


def compare_continuous(a, b) -> float | None:
    """Two-sided Mann-Whitney p of two samples (missing values dropped; ``None`` when a sample
    is empty or every value ties)."""
    x = pd.to_numeric(pd.Series(a), errors="coerce").dropna().to_numpy(dtype="float64")
    y = pd.to_numeric(pd.Series(b), errors="coerce").dropna().to_numpy(dtype="float64")
    if not len(x) or not len(y):
        return None
    return mann_whitney(x, y).p_value


def summarise_platelet_weeks(weeks: pd.DataFrame) -> dict[int, dict[str, WeekSummary]]:
    """Per week 0…4 and arm: ``n, median, q1, q3`` of the week values (before censoring)."""
    out: dict[int, dict[str, WeekSummary]] = {}
    for week, rows in weeks.groupby("week", sort=True):
        cells = {arm: distribution(rows.loc[rows["arm"] == arm, "value"]) for arm in ARMS}
        out[int(week)] = {arm: WeekSummary(n=d.n, median=d.median, q1=d.q1, q3=d.q3) for arm, d in cells.items()}
    return out


def summarise_baseline(characteristics: pd.DataFrame) -> Baseline:
    """The SAP's baseline table: continuous rows (per arm n, mean, range, median, quartiles;
    Mann-Whitney p) and categorical rows (per arm counts of each level; Fisher's exact p for a
    2×2 table, chi-square for larger ones, empty levels dropped before testing)."""
    arm = characteristics["arm"].astype("string")
    continuous = {}
    for column in CONTINUOUS:
        values = {a: characteristics.loc[(arm == a).to_numpy(), column] for a in ARMS}
        continuous[column] = ContinuousRow(arms={a: distribution(values[a]) for a in ARMS},
                                           p_value=compare_continuous(*(values[a] for a in ARMS)))
    categorical = {}
    for column in CATEGORICAL:
        text = characteristics[column].astype("string")
        levels = list(CATEGORY_LEVELS.get(column, ()))
        levels += sorted(set(text.dropna()) - set(levels))
        counts = {a: {level: int(((arm == a) & (text == level)).fillna(False).sum()) for level in levels}
                  for a in ARMS}
        grid = [[counts[a][level] for a in ARMS] for level in levels]
        result = categorical_test(grid) if sum(map(sum, grid)) else None
        categorical[column] = CategoricalRow(counts=counts, p_value=result.p_value if result else None,
                                             test=result.method if result else None)
    return Baseline(continuous=continuous, categorical=categorical)
