"""SAP "Durable platelet response", "Fibrinogen stabilization", "KMP rebound".

Runs: consecutive measurements all meeting the threshold, no gap > 14 days, durable when last
day − first day ≥ 28; responder at week k when a durable run starts on day ≤ 7k."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from khetrial.endpoints.response import (
    compute_durable_run_start,
    compute_fibrinogen_ok,
    compute_platelet_ok,
    compute_rebound,
    derive_fibrinogen_stabilization,
    derive_kmp_rebound,
    derive_lab_measurements,
    derive_platelet_response,
)
from khetrial.errors import AnalysisError


def start_of(days, values):
    """Durable-run start of one patient's platelet series."""
    ok = compute_platelet_ok(values)
    return compute_durable_run_start(np.zeros(len(days), int), days, ok)[0]


@pytest.mark.parametrize("days, expected", [
    ([0, 14, 28], 0),        # last − first = 28 ≥ 28: durable; gaps of exactly 14 are kept
    ([0, 13, 27], None),     # 27 < 28: not durable
    ([0, 15, 29, 43], 15),   # gap 0 -> 15 is 15 > 14: breaks; run 15…43 lasts 28: durable from 15
    ([0, 15, 30], None),     # every gap is 15: three runs of one measurement each
])
def test_run_length_and_gap_rules(days, expected):
    got = start_of(days, [150] * len(days))
    assert (None if math.isnan(got) else got) == expected


def test_a_value_below_threshold_breaks_the_run():
    # 0…14 ≥ 100, day 20 is 99, 21…49 ≥ 100: run 21…49 lasts 28 -> durable from 21.
    assert start_of([0, 14, 20, 21, 35, 49], [120, 130, 99, 140, 150, 160]) == 21


@pytest.mark.parametrize("value, ok", [(100, True), (99.9, False), (100.0000000001, True)])
def test_platelets_at_exactly_100_count(value, ok):
    assert compute_platelet_ok([value])[0] == ok


@pytest.mark.parametrize("value, ok", [(1.6, False), (1.61, True), (1.59, False)])
def test_fibrinogen_must_be_strictly_above_1_6(value, ok):
    # SAP: "fibrinogen > 1.6 g/L (strictly greater)"
    assert compute_fibrinogen_ok([value])[0] == ok


def test_unsorted_measurements_are_refused():
    with pytest.raises(AnalysisError, match="not sorted"):
        compute_durable_run_start([0, 0], [10, 5], [True, True])


def test_kernel_handles_many_patients_at_once():
    # Patient 0: durable from 0; patient 1: nothing; patient 2 has no measurement at all;
    # patient 3: durable from 7 with a later drop -> rebound.
    codes = [0, 0, 0, 1, 1, 3, 3, 3, 3]
    days = [0, 14, 28, 0, 40, 7, 21, 35, 50]
    ok = [True, True, True, True, True, True, True, True, False]
    start = compute_durable_run_start(codes, days, ok, n_patients=4)
    assert np.array_equal(start, [0, np.nan, np.nan, 7], equal_nan=True)
    assert compute_rebound(codes, days, ok, n_patients=4).tolist() == [False, False, False, True]


def reference_start(days, ok, max_gap=14, min_length=28):
    """Straightforward per-patient reading of the SAP, for comparison with the kernel."""
    run_first = None
    previous = None
    for day, good in zip(days, ok):
        if good and run_first is not None and day - previous <= max_gap:
            pass
        elif good:
            run_first = day
        else:
            run_first = None
        if run_first is not None and day - run_first >= min_length:
            return run_first
        previous = day
    return None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.tuples(st.integers(0, 60), st.booleans()), max_size=12), min_size=1, max_size=6))
def test_kernel_agrees_with_a_per_patient_reading_of_the_rule(patients):
    codes, days, ok, expected = [], [], [], []
    for code, series in enumerate(patients):
        series = sorted(dict(series).items())  # one measurement per day, sorted by day
        codes += [code] * len(series)
        days += [d for d, _ in series]
        ok += [g for _, g in series]
        expected.append(reference_start([d for d, _ in series], [g for _, g in series]))
    got = compute_durable_run_start(codes, days, ok, n_patients=len(patients))
    assert [None if math.isnan(x) else x for x in got] == expected


RESPONSE_LABS = """
    patient_id,day,test,value
    P1,0,platelets,20
    P1,7,platelets,100
    P1,21,platelets,150
    P1,35,platelets,180
    P2,-2,platelets,120
    P2,12,platelets,130
    P2,26,platelets,140
    P3,0,platelets,100
    P3,14,platelets,120
    P3,28,platelets,140
    P4,8,platelets,110
    P4,22,platelets,120
    P4,36,platelets,130
    """


def test_responder_at_week_k_when_a_durable_run_starts_on_day_7k_or_before(make_bundle):
    b = make_bundle(patients="patient_id,arm\nP1,SP\nP2,SP\nP3,S\nP4,S", labs=RESPONSE_LABS)
    censoring = pd.DataFrame({"patient_id": ["P1", "P2", "P3", "P4"], "censoring_day": [np.nan, np.nan, 28.0, np.nan]})
    out = derive_platelet_response(derive_lab_measurements(b.labs, b.patients, "platelets"), b.patients, censoring)
    table = out.set_index("patient_id")
    # P1: run 7, 21, 35 (gaps 14, 14; length 28) -> durable from day 7 = 7·1: responder weeks 1–4.
    assert table.loc["P1", ["durable_platelet_response_wk1", "durable_platelet_response_wk4"]].tolist() == [1, 1]
    # P2: day −2 is before day 0 and not used; run 12…26 lasts 14 -> no response.
    assert table.loc["P2", "durable_platelet_response_wk4"] == 0
    # P3: censored on day 28, so the day-28 measurement is excluded; run 0…14 lasts 14 -> none.
    assert table.loc["P3", "durable_platelet_response_wk4"] == 0
    # P4: durable from day 8 > 7: not a week-1 responder, a week-2 responder (8 ≤ 14).
    assert table.loc["P4", [f"durable_platelet_response_wk{k}" for k in (1, 2, 3, 4)]].tolist() == [0, 1, 1, 1]
    assert table.loc["P4", "platelet_durable_start_day"] == 8


def test_fibrinogen_stabilization_needs_values_above_1_6_by_day_28(make_bundle):
    b = make_bundle(patients="patient_id,arm\nP1,SP\nP2,S\nP3,S", labs="""
        patient_id,day,test,value
        P1,0,fibrinogen,1.7
        P1,14,fibrinogen,2.0
        P1,28,fibrinogen,1.9
        P2,0,fibrinogen,1.6
        P2,14,fibrinogen,2.0
        P2,28,fibrinogen,1.9
        P2,42,fibrinogen,2.1
        P3,29,fibrinogen,2.0
        P3,43,fibrinogen,2.0
        P3,57,fibrinogen,2.0
        """)
    censoring = pd.DataFrame({"patient_id": ["P1", "P2", "P3"], "censoring_day": [np.nan] * 3})
    out = derive_fibrinogen_stabilization(derive_lab_measurements(b.labs, b.patients, "fibrinogen"),
                                          b.patients, censoring).set_index("patient_id")
    # P1: 0…28 all > 1.6 -> durable from 0 ≤ 28: stabilized.
    # P2: 1.6 on day 0 is not > 1.6; run 14…42 lasts 28 from day 14 ≤ 28: stabilized.
    # P3: durable run starts day 29 > 28: not stabilized at week 4.
    assert out["fibrinogen_stabilization_wk4"].to_dict() == {"P1": 1, "P2": 1, "P3": 0}


def test_kmp_rebound_uses_all_data_of_days_0_to_730(make_bundle):
    b = make_bundle(patients="patient_id,arm\nP1,SP\nP2,S\nP3,S\nP4,SP", labs="""
        patient_id,day,test,value
        P1,0,platelets,150
        P1,14,platelets,150
        P1,28,platelets,150
        P1,200,platelets,60
        P2,0,platelets,150
        P2,14,platelets,150
        P2,28,platelets,150
        P2,731,platelets,60
        P3,0,platelets,150
        P3,14,platelets,150
        P3,20,platelets,60
        P4,100,platelets,150
        P4,114,platelets,150
        P4,128,platelets,150
        P4,500,platelets,99
        """)
    out = derive_kmp_rebound(derive_lab_measurements(b.labs, b.patients, "platelets"), b.patients)
    # P1: durable 0…28 then 60 on day 200 -> rebound. P2: the drop is on day 731 > 730 -> none.
    # P3: no durable run (0…14 lasts 14) -> a drop is no rebound. P4: a durable run that starts
    # late (day 100, after week 4) still counts, then 99 on day 500 -> rebound.
    assert out.set_index("patient_id")["kmp_rebound"].to_dict() == {"P1": 1, "P2": 0, "P3": 0, "P4": 1}


@settings(max_examples=300, deadline=None)
@given(st.decimals(min_value=0, max_value=2000, places=3, allow_nan=False))
def test_threshold_comparisons_agree_with_exact_decimal_arithmetic(value):
    # The SAP compares "exact on the decimal values as written": Python's Decimal is the
    # reference; the float comparison must agree for every decimal with up to 3 places.
    from decimal import Decimal

    assert compute_platelet_ok([float(value)])[0] == (value >= 100)
    assert compute_fibrinogen_ok([float(value)])[0] == (value > Decimal("1.6"))
