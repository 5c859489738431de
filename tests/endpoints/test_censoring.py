"""SAP "Intercurrent events: censoring": the censoring day and its reason.

Patients are randomized on day 0; each expected day is read off the rules by hand."""

import math

import pytest

from khetrial.endpoints.censoring import derive_censoring


def censoring_of(make_bundle, arm, medications="", disposition=""):
    tables = {"patients": f"patient_id,arm\nP1,{arm}"}
    if medications:
        tables["medications"] = "patient_id,drug,start_day,end_day\n" + medications
    if disposition:
        tables["disposition"] = "patient_id,day,status,reason\n" + disposition
    b = make_bundle(**tables)
    row = derive_censoring(b.patients, b.medications, b.disposition).iloc[0]
    day = row["censoring_day"]
    return (None if math.isnan(day) else int(day)), (None if row["censoring_reason"] is None
                                                     or str(row["censoring_reason"]) == "<NA>"
                                                     else str(row["censoring_reason"]))


def test_no_intercurrent_event_means_no_censoring(make_bundle):
    # Sirolimus from day 0 and a completed disposition row: nothing censors.
    assert censoring_of(make_bundle, "S", "P1,sirolimus,0,400", "P1,730,completed,") == (None, None)


def test_discontinuation_censors_on_its_date(make_bundle):
    assert censoring_of(make_bundle, "SP", "P1,sirolimus,0,", "P1,40,discontinued,toxicity") == (40, "discontinued")


@pytest.mark.parametrize("start, expected", [
    (0, None),  # day 0 is not "after day 0"
    (1, 1),     # day 1 is
])
def test_other_khe_therapy_after_day_0_censors_at_its_start(make_bundle, start, expected):
    got = censoring_of(make_bundle, "SP", f"P1,other_khe_therapy,{start},{start + 5}")
    assert got[0] == expected


@pytest.mark.parametrize("start, expected", [(-10, None), (0, None), (5, 5)])
def test_prednisolone_in_arm_s_after_day_0_is_rescue(make_bundle, start, expected):
    got = censoring_of(make_bundle, "S", f"P1,prednisolone,{start},{start + 20}")
    assert got == (expected, "rescue_prednisolone" if expected else None)


@pytest.mark.parametrize("second_start, expected", [
    (35, None),  # first course ended day 28: 35 − 28 = 7 days, not "more than 7" -> continuation
    (36, 36),    # 36 − 28 = 8 days > 7 -> reintroduction on day 36
])
def test_sp_reintroduction_needs_a_gap_of_more_than_7_days(make_bundle, second_start, expected):
    meds = f"P1,prednisolone,0,28\nP1,prednisolone,{second_start},{second_start + 14}"
    assert censoring_of(make_bundle, "SP", meds) == (expected, "prednisolone_reintroduction" if expected else None)


def test_sp_course_after_a_still_running_course_is_no_reintroduction(make_bundle):
    # The day-0 course has no end date (still running), so a course on day 60 has no gap.
    assert censoring_of(make_bundle, "SP", "P1,prednisolone,0,\nP1,prednisolone,60,70") == (None, None)


def test_sp_first_course_after_day_0_with_no_earlier_course_is_no_reintroduction(make_bundle):
    assert censoring_of(make_bundle, "SP", "P1,prednisolone,5,40") == (None, None)


def test_sp_courses_before_randomization_count_as_earlier_courses(make_bundle):
    # Pre-randomization course ended day −30; the first course after day 0 starts day 5:
    # 5 − (−30) = 35 days > 7 -> a reintroduction on day 5.
    meds = "P1,prednisolone,-60,-30\nP1,prednisolone,5,30"
    assert censoring_of(make_bundle, "SP", meds) == (5, "prednisolone_reintroduction")


def test_sp_gap_is_from_the_latest_end_of_all_earlier_courses(make_bundle):
    # Courses 0–40 and 10–20 started before day 45; the latest end is 40 (not 20):
    # 45 − 40 = 5 days -> no reintroduction.
    meds = "P1,prednisolone,0,40\nP1,prednisolone,10,20\nP1,prednisolone,45,60"
    assert censoring_of(make_bundle, "SP", meds) == (None, None)


def test_sp_prednisolone_is_not_rescue(make_bundle):
    # Arm SP takes prednisolone from day 0 by protocol; a single course is never censoring.
    assert censoring_of(make_bundle, "SP", "P1,prednisolone,0,35") == (None, None)


def test_the_earliest_event_wins(make_bundle):
    # Rescue prednisolone on day 20, other therapy on day 12, discontinued on day 30 -> 12.
    meds = "P1,prednisolone,20,40\nP1,other_khe_therapy,12,12"
    assert censoring_of(make_bundle, "S", meds, "P1,30,discontinued,lack_of_efficacy") == (12, "other_khe_therapy")
