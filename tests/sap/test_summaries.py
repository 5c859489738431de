"""Descriptive tables: weekly platelet quartiles (numpy's linear interpolation = R's default
quantile type 7) and the baseline table's tests (SAP "Baseline table")."""

import numpy as np
import pandas as pd
import pytest

from khetrial.sap.plan import mixed_model_data
from khetrial.sap.summaries import CATEGORY_LEVELS, distribution, summarise_baseline, summarise_platelet_weeks
from khetrial.endpoints.baseline import CATEGORICAL, CONTINUOUS


def test_quartiles_interpolate_linearly():
    # R: quantile(c(1,2,3,4)) -> 25% 1.75, 50% 2.50, 75% 3.25
    d = distribution([4, 1, 3, 2, None])
    assert (d.n, d.q1, d.median, d.q3, d.mean, d.min, d.max) == (4, 1.75, 2.5, 3.25, 2.5, 1, 4)


def test_weekly_platelets_per_arm_and_week():
    weeks = pd.DataFrame({"patient_id": ["A", "B", "C", "A"], "arm": ["SP", "SP", "S", "SP"],
                          "week": [0, 0, 0, 1], "day": [0, 0, 0, 7], "value": [10.0, 20.0, 30.0, 50.0]})
    out = {week: {arm: cell.to_dict() for arm, cell in arms.items()}
           for week, arms in summarise_platelet_weeks(weeks).items()}
    # Week 0, SP: values 10 and 20 -> median 15, q1 12.5, q3 17.5 (linear interpolation).
    assert out[0]["SP"] == {"n": 2, "median": 15.0, "q1": 12.5, "q3": 17.5}
    assert out[1]["S"]["n"] == 0 and out[1]["S"]["median"] is None


def characteristics(arms, **columns):
    frame = pd.DataFrame({"patient_id": [f"P{i}" for i in range(len(arms))], "arm": arms})
    for column in CONTINUOUS:
        frame[column] = columns.get(column, [np.nan] * len(arms))
    for column in CATEGORICAL:
        frame[column] = pd.Series(columns.get(column, [None] * len(arms)), dtype="string")
    return frame


def test_continuous_rows_use_mann_whitney():
    # Age: SP 1, 2, 3 vs S 4, 5, 6, 7 months.
    # R: wilcox.test(c(1,2,3), c(4,5,6,7), exact=FALSE, correct=FALSE)$p.value = 0.03389485352
    t = summarise_baseline(characteristics(["SP"] * 3 + ["S"] * 4, age_months=[1, 2, 3, 4, 5, 6, 7])).to_dict()
    assert t["continuous"]["age_months"]["p_value"] == pytest.approx(0.03389485352, rel=1e-8)
    assert t["continuous"]["age_months"]["SP"]["mean"] == 2.0
    assert t["categorical"]["sex"]["p_value"] is None  # nobody has a recorded sex: no test


def test_categorical_rows_fisher_for_2x2_and_chi_square_for_larger():
    sex = characteristics(["SP", "SP", "S", "S", "S", "S"], sex=["F", "F", "F", "M", "M", "M"])
    # Table F: SP 2, S 1; M: SP 0, S 3. R: fisher.test(matrix(c(2,0,1,3),2))$p.value = 0.4
    r = summarise_baseline(sex).to_dict()["categorical"]["sex"]
    assert (r["SP"], r["S"], r["test"]) == ({"F": 2, "M": 0}, {"F": 1, "M": 3}, "fisher")
    assert r["p_value"] == pytest.approx(0.4)
    depth = characteristics(["SP"] * 3 + ["S"] * 3,
                            lesion_depth=["superficial", "mixed", "deep", "mixed", "deep", "deep"])
    # superficial (1, 0), mixed (1, 1), deep (1, 2).
    # R: chisq.test(matrix(c(1,1,1,0,1,2),3), correct=FALSE)$p.value = 0.513417119
    r = summarise_baseline(depth).to_dict()["categorical"]["lesion_depth"]
    assert r["test"] == "chi-square" and r["p_value"] == pytest.approx(0.513417119, rel=1e-8)


def test_mixed_model_data_uses_patients_with_a_baseline_and_non_missing_weeks():
    weeks = pd.DataFrame({"patient_id": ["A", "A", "A", "B"], "arm": ["SP", "SP", "SP", "S"],
                          "week": [0, 1, 4, 2], "day": [0, 7, 28, 14], "value": [20.0, 50.0, np.nan, 90.0]})
    data = mixed_model_data(weeks)
    # A: baseline 20, week 1 value 50 -> change 30; week 4 is missing (dropped).
    # B: no baseline -> not in the model.
    assert data.to_dict("records") == [{"patient_id": "A", "arm": "SP", "week": 1, "change": 30.0, "baseline": 20.0}]


def test_category_levels_are_the_bundle_formats_code_lists():
    # bundle-format.md, patients.csv: sex `F` / `M`; lesion_depth `superficial` / `mixed` / `deep`;
    # lesion_site `head_neck` / `trunk` / `extremity` / `retroperitoneal` / `intrathoracic` / `other`
    assert CATEGORY_LEVELS["sex"] == ("F", "M")
    assert CATEGORY_LEVELS["lesion_depth"] == ("superficial", "mixed", "deep")
    assert CATEGORY_LEVELS["lesion_site"] == ("head_neck", "trunk", "extremity", "retroperitoneal",
                                              "intrathoracic", "other")
