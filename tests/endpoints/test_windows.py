"""SAP "Time": study day, duplicates of a date, baseline and "closest to" windows.

Every expected value is worked out by hand from the SAP's rules in the comments."""

import pandas as pd

from khetrial.endpoints.response import derive_lab_measurements
from khetrial.endpoints.windows import (
    compute_study_day,
    derive_before_censoring,
    derive_closest_in_window,
    derive_last_in_window,
    derive_week_values,
)
from khetrial.constants import BASELINE_LAB_WINDOW, MONTH12_TARGET_DAY, MONTH12_WINDOW


def test_study_day_is_date_minus_randomization_date_across_a_leap_day():
    # 2020-01-01 -> 2020-03-01: 31 (January) + 29 (February 2020) = 60 days.
    days = compute_study_day(pd.Series(pd.to_datetime(["2020-03-01", "2019-12-31"])),
                             pd.Series(pd.to_datetime(["2020-01-01", "2020-01-01"])))
    assert days.tolist() == [60.0, -1.0]


def test_last_row_of_a_date_in_file_order_wins_and_empty_values_are_no_measurement(make_bundle):
    b = make_bundle(patients="patient_id,arm\nP1,SP", labs="""
        patient_id,day,test,value
        P1,3,platelets,50
        P1,3,platelets,60
        P1,3,platelets,
        P1,3,fibrinogen,1.0
        P1,5,platelets,
        """)
    rows = derive_lab_measurements(b.labs, b.patients, "platelets")
    # Day 3: rows 50, 60 and an empty one; the empty row is no measurement, so the last
    # measurement of the date in file order is 60. Day 5 has only an empty row: nothing.
    assert rows[["day", "value"]].values.tolist() == [[3.0, 60.0]]


def test_baseline_is_the_last_measurement_on_days_minus14_to_0(make_bundle):
    b = make_bundle(patients="patient_id,arm\nP1,SP\nP2,S", labs="""
        patient_id,day,test,value
        P1,-15,platelets,1
        P1,-14,platelets,2
        P1,0,platelets,3
        P1,1,platelets,4
        P2,-15,platelets,5
        P2,1,platelets,6
        """)
    rows = derive_lab_measurements(b.labs, b.patients, "platelets")
    baseline = derive_last_in_window(rows, BASELINE_LAB_WINDOW)
    # P1: days -14 and 0 are in the window, the last is day 0 (value 3). P2: day -15 is one
    # day too early and day 1 after day 0: no baseline (missing).
    assert baseline[["patient_id", "value"]].values.tolist() == [["P1", 3.0]]


def test_week_value_is_closest_to_day_7w_within_3_days_and_a_tie_goes_to_the_earlier_date(make_bundle):
    b = make_bundle(patients="patient_id,arm\nP1,SP\nP2,S\nP3,S", labs="""
        patient_id,day,test,value
        P1,5,platelets,10
        P1,9,platelets,20
        P2,3,platelets,30
        P2,11,platelets,40
        P3,4,platelets,50
        P3,10,platelets,60
        """)
    weeks = derive_week_values(derive_lab_measurements(b.labs, b.patients, "platelets"), weeks=(1,))
    week1 = weeks[weeks["week"] == 1].set_index("patient_id")["value"].to_dict()
    # P1: days 5 and 9 are both 2 days from day 7 -> the earlier (day 5, value 10).
    # P2: days 3 and 11 are 4 days away, outside 7 ± 3 -> no week-1 value.
    # P3: days 4 and 10 are the window's edges (7 ± 3, inclusive), tie -> day 4 (value 50).
    assert week1 == {"P1": 10.0, "P3": 50.0}


def test_month12_window_edges_tie_to_the_earlier_date(make_bundle):
    b = make_bundle(patients="patient_id,arm\nP1,SP\nP2,S", labs="""
        patient_id,day,test,value
        P1,335,platelets,1
        P1,395,platelets,2
        P2,334,platelets,3
        P2,396,platelets,4
        """)
    rows = derive_lab_measurements(b.labs, b.patients, "platelets")
    chosen = derive_closest_in_window(rows, MONTH12_TARGET_DAY, MONTH12_WINDOW)
    # P1: 335 and 395 are both 30 days from 365 and inside 335…395 -> earlier (335).
    # P2: 334 and 396 are outside the window -> nothing.
    assert chosen[["patient_id", "day"]].values.tolist() == [["P1", 335.0]]


def test_a_measurement_on_the_censoring_day_is_excluded(make_bundle):
    b = make_bundle(patients="patient_id,arm\nP1,SP\nP2,S", labs="""
        patient_id,day,test,value
        P1,9,platelets,1
        P1,10,platelets,2
        P2,10,platelets,3
        """)
    rows = derive_lab_measurements(b.labs, b.patients, "platelets")
    censoring = pd.DataFrame({"patient_id": ["P1", "P2"], "censoring_day": [10.0, float("nan")]})
    kept = derive_before_censoring(rows, censoring)
    # P1 is censored on day 10: day 9 is kept, day 10 (on the censoring day) is not.
    # P2 is never censored: everything is kept.
    assert kept[["patient_id", "day"]].values.tolist() == [["P1", 9.0], ["P2", 10.0]]


def test_derivations_do_not_mutate_or_reorder_their_input(make_bundle):
    b = make_bundle(patients="patient_id,arm\nP1,SP", labs="""
        patient_id,day,test,value
        P1,9,platelets,1
        P1,2,platelets,2
        """)
    before = b.labs.copy()
    derive_week_values(derive_lab_measurements(b.labs, b.patients, "platelets"))
    pd.testing.assert_frame_equal(b.labs, before)
