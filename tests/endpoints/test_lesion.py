"""SAP "Lesion response at month 12": change = (V12 − V0) / V0 × 100 %, compared exactly."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from khetrial.endpoints.lesion import compute_lesion_category, derive_lesion_response

NAN = float("nan")


@pytest.mark.parametrize("v0, v12, category", [
    (3.3, 2.64, "partial"),            # (2.64 − 3.3) / 3.3 = −0.2 exactly as decimals: ≤ −20 %
    (10, 12, "growth"),                # +20 % exactly: ≥ +20 %
    (10, 11.99, "no_change"),          # +19.9 %
    (10, 8.01, "no_change"),           # −19.9 %: > −20 %
    (10, 8, "partial"),                # −20 %
    (10, 2.51, "partial"),             # −74.9 %: > −75 %
    (10, 2.5, "nearly_complete"),      # −75 % exactly and V12 > 0
    (10, 0.01, "nearly_complete"),     # −99.9 %
    (10, 0, "complete"),               # V12 = 0
    (0, 5, "not_evaluable"),           # a baseline volume of 0 is not evaluable
    (0, 0, "not_evaluable"),
    (NAN, 5, "not_evaluable"),         # V0 missing
    (10, NAN, "not_evaluable"),        # V12 missing
])
def test_category_table_with_exact_thresholds(v0, v12, category):
    assert str(compute_lesion_category([v0], [v12])[0]) == category


def test_binary_float_alone_would_miss_the_exact_minus_20_percent():
    # Why the rounding matters: in binary floating point the change is −19.999999999999996 %.
    assert (2.64 - 3.3) / 3.3 * 100 > -20


def test_derivation_windows_duplicates_and_censoring(make_bundle):
    b = make_bundle(patients="patient_id,arm\nP1,SP\nP2,S\nP3,S\nP4,SP", mri="""
        patient_id,day,lesion_volume_ml
        P1,-31,99
        P1,-10,50
        P1,-10,40
        P1,365,10
        P1,370,
        P2,-5,3.3
        P2,350,2.64
        P3,-5,20
        P3,365,1
        P4,-40,20
        P4,365,1
        """)
    censoring = pd.DataFrame({"patient_id": ["P1", "P2", "P3", "P4"],
                              "censoring_day": [np.nan, np.nan, 365.0, np.nan]})
    out = derive_lesion_response(b.mri, b.patients, censoring).set_index("patient_id")
    # P1: V0 = the last row of day −10 in file order (40; day −31 is outside −30…0);
    # V12 = 10 (the empty day-370 row is no MRI): −75 % -> nearly_complete.
    assert out.loc["P1", ["lesion_volume_baseline", "lesion_volume_m12"]].tolist() == [40.0, 10.0]
    assert out.loc["P1", "lesion_category_m12"] == "nearly_complete"
    # P2: 3.3 -> 2.64 is exactly −20 % -> partial (an overall, not a good, response).
    assert out.loc["P2", ["lesion_category_m12", "lesion_overall_response_m12", "lesion_good_response_m12"]].tolist() == ["partial", 1, 0]
    # P3: the month-12 MRI is on the censoring day -> not used -> not_evaluable (non-response).
    assert out.loc["P3", ["lesion_category_m12", "lesion_overall_response_m12"]].tolist() == ["not_evaluable", 0]
    # P4: the only baseline MRI is on day −40 -> V0 missing -> not_evaluable.
    assert out.loc["P4", "lesion_category_m12"] == "not_evaluable"


def reference_category(v0, v12):
    """The SAP's table computed in exact rational arithmetic (Python's Fraction)."""
    from fractions import Fraction

    v0, v12 = Fraction(str(v0)), Fraction(str(v12))
    if v0 == 0:
        return "not_evaluable"
    if v12 == 0:
        return "complete"
    change = (v12 - v0) / v0 * 100
    if change >= 20:
        return "growth"
    if change > -20:
        return "no_change"
    if change > -75:
        return "partial"
    return "nearly_complete"


volumes = st.decimals(min_value=0, max_value=500, places=2, allow_nan=False)


@settings(max_examples=300, deadline=None)
@given(volumes, volumes)
def test_category_agrees_with_exact_rational_arithmetic(v0, v12):
    assert str(compute_lesion_category([float(v0)], [float(v12)])[0]) == reference_category(v0, v12)


@pytest.mark.parametrize("v0", ["3.3", "0.55", "1.1", "4.35", "12.3", "0.7"])
def test_exactly_minus_20_and_minus_75_and_plus_20_percent_for_awkward_decimals(v0):
    from decimal import Decimal

    base = Decimal(v0)
    for factor, category in (("0.8", "partial"), ("0.25", "nearly_complete"), ("1.2", "growth")):
        v12 = base * Decimal(factor)
        assert str(compute_lesion_category([float(base)], [float(v12)])[0]) == category, (v0, factor)
