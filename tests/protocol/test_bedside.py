"""khetrial.protocol.bedside: rows -> snapshot -> advice, without Django.

Every expected value is worked by hand in the test from the rule it checks: the module doc's
reading of the rows (project choices), the publication's sentence or the label quoted there.
Day 0 (randomization) is 2026-03-02 throughout.
"""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

import pytest

from khetrial.protocol.bedside import (
    AdverseEvent,
    Course,
    DrugLevel,
    Lab,
    PatientBaseline,
    PatientRecords,
    bedside_advice,
    course_dose_mg,
    latest_labs,
    latest_trough,
    medications_on,
    ongoing_adverse_events,
    patient_snapshot,
    platelet_history,
    runs_on,
    treatment_stopped_on,
    visits_done,
)

D0 = date(2026, 3, 2)
WEIGHT_KG, HEIGHT_CM = 6.0, 62.0


def day(n: int) -> date:
    return D0 + timedelta(days=n)


def records(arm: str = "S", weight_kg=WEIGHT_KG, **tables) -> PatientRecords:
    return PatientRecords(PatientBaseline("A-01", D0, arm, weight_kg, HEIGHT_CM), **tables)


SIROLIMUS = Course("sirolimus", day(0), dose=0.3, dose_unit="mg", frequency="bid")
TMP_SMX = Course("tmp_smx", day(0), dose=60.0, dose_unit="mg", frequency="tiw_bid")


# --- is a course running ------------------------------------------------------------------------

@pytest.mark.parametrize("start, end, today, running", [
    (day(10), None, day(9), False),       # starts tomorrow
    (day(10), None, day(10), True),       # starts today
    (day(0), day(20), day(20), True),     # ends today: still taken today
    (day(0), day(20), day(21), False),    # ended yesterday
    (day(0), None, day(500), True),       # no end date
])
def test_a_course_runs_from_its_start_to_its_end_both_included(start, end, today, running):
    assert runs_on(Course("sirolimus", start, end), today) is running


# --- the latest labs and trough -----------------------------------------------------------------

def test_latest_lab_is_the_last_row_of_the_latest_date_in_file_order():
    labs = (Lab("platelets", day(5), 40), Lab("platelets", day(3), 90),  # later date first in file
            Lab("platelets", day(5), 45),                                 # same date, later in file
            Lab("fibrinogen", day(4), 1.2), Lab("fibrinogen", day(6), None),  # no value: skipped
            Lab("d_dimer", day(6), 3.0))                                   # not a snapshot lab
    assert latest_labs(labs) == {"platelets": 45, "fibrinogen": 1.2}


def test_platelet_history_is_every_count_in_date_order():
    labs = (Lab("platelets", day(5), 40), Lab("hemoglobin", day(4), 90),
            Lab("platelets", day(3), 90), Lab("platelets", day(6), None))
    assert platelet_history(labs) == ((day(3), 90), (day(5), 40))


def test_latest_trough_skips_levels_without_a_value():
    levels = (DrugLevel(day(14), 6.0), DrugLevel(day(7), 9.0), DrugLevel(day(21), None))
    assert latest_trough(levels) == DrugLevel(day(14), 6.0)
    assert latest_trough(()) is None


# --- the dose of a course in mg -----------------------------------------------------------------

def test_dose_in_mg_per_m2_is_measured_on_the_syringe():
    # Mosteller BSA for 6 kg, 62 cm: sqrt(62 × 6 / 3600) = 0.32146 m²; 0.8 mg/m² × 0.32146 =
    # 0.25717 mg -> 0.26 mL on the 0.01 mL syringe = 0.26 mg (hand computation)
    course = Course("sirolimus", D0, dose=0.8, dose_unit="mg_m2", frequency="bid")
    assert course_dose_mg(course, WEIGHT_KG, HEIGHT_CM) == Fraction("0.26")


@pytest.mark.parametrize("course, weight, height, mg", [
    (Course("sirolimus", D0, dose=0.05, dose_unit="mg_kg", frequency="bid"), 6.0, 62.0, Fraction("0.3")),  # 0.05 × 6
    (Course("sirolimus", D0, dose=0.3, dose_unit="mg", frequency=""), None, None, Fraction("0.3")),  # unstated = bid
    (Course("sirolimus", D0, dose=0.3, dose_unit="mg", frequency="qd"), 6.0, 62.0, None),  # per dose, twice daily
    (Course("sirolimus", D0, dose=None, dose_unit="mg", frequency="bid"), 6.0, 62.0, None),  # no dose
    (Course("sirolimus", D0, dose=0.05, dose_unit="mg_kg", frequency="bid"), None, 62.0, None),  # no weight
    (Course("sirolimus", D0, dose=0.8, dose_unit="mg_m2", frequency="bid"), 6.0, None, None),  # no height
])
def test_dose_in_mg_needs_twice_daily_and_the_body_size_of_its_unit(course, weight, height, mg):
    assert course_dose_mg(course, weight, height) == mg


# --- treatment stopped, running courses, the taper start -----------------------------------------

@pytest.mark.parametrize("dates, today, stopped", [
    ((day(30),), day(29), None),               # disposition tomorrow: not yet stopped
    ((day(30),), day(30), day(30)),            # disposition today: stopped
    ((day(40), day(30)), day(50), day(30)),    # the first one counts
])
def test_treatment_stops_on_the_first_disposition_on_or_before_today(dates, today, stopped):
    assert treatment_stopped_on(dates, today) == stopped


def test_a_disposition_stops_the_study_drugs_but_not_the_prophylaxis():
    # bundle format: disposition = "study treatment stopped for good" (sirolimus, prednisolone)
    r = records(medications=(SIROLIMUS, TMP_SMX), disposition_dates=(day(30),))
    before, after = medications_on(r, day(29)), medications_on(r, day(30))
    assert before.sirolimus == SIROLIMUS and before.sirolimus_dose_mg == Fraction("0.3")
    assert after.sirolimus is None and after.sirolimus_dose_mg is None and after.on_tmp_smx


def test_the_later_course_of_a_drug_wins():
    new = Course("sirolimus", day(20), dose=0.6, dose_unit="mg", frequency="bid")
    meds = medications_on(records(medications=(new, SIROLIMUS)), day(25))  # file order: new first
    assert meds.sirolimus == new and meds.sirolimus_dose_mg == Fraction("0.6")


FULL = Course("prednisolone", day(0), day(27), dose=2.0, dose_unit="mg_kg", frequency="qd")
STEP = Course("prednisolone", day(28), dose=1.6, dose_unit="mg_kg", frequency="qd")


@pytest.mark.parametrize("courses, today, start", [
    ((FULL,), day(20), None),         # one course: the full dose, no taper
    ((FULL, STEP), day(27), None),    # the second course starts tomorrow
    ((FULL, STEP), day(28), day(28)), # the second course runs: the taper began on its start
    ((STEP, FULL), day(30), day(28)), # file order does not matter, start dates do
])
def test_taper_starts_with_the_second_prednisolone_course(courses, today, start):
    assert medications_on(records("SP", medications=courses), today).taper_start == start


def test_no_taper_once_prednisolone_has_stopped():
    ended = Course("prednisolone", day(28), day(40), dose=1.6, dose_unit="mg_kg", frequency="qd")
    assert medications_on(records("SP", medications=(FULL, ended)), day(41)).taper_start is None


# --- adverse events and visits -------------------------------------------------------------------

@pytest.mark.parametrize("event, ongoing", [
    (AdverseEvent("pneumonia", day(10), 3), True),                  # no end date
    (AdverseEvent("pneumonia", day(11), 3), False),                 # onset tomorrow
    (AdverseEvent("pneumonia", day(2), 3, day(10)), True),          # ends today
    (AdverseEvent("pneumonia", day(2), 3, day(9)), False),          # ended yesterday
    (AdverseEvent("pneumonia", day(2), None), False),               # not graded
])
def test_ongoing_adverse_events_on_day_10(event, ongoing):
    assert ongoing_adverse_events((event,), day(10)) == ((("pneumonia", 3),) if ongoing else ())


@pytest.mark.parametrize("dates, done", [
    # SAP week rule: week 1 = day 7 ± 3 (days 4…10), week 2 = day 14 ± 3 (days 11…17)
    ((day(10),), {"week_1": day(10)}),
    ((day(11),), {"week_2": day(11)}),
    ((day(3),), {}),                                    # between baseline (−14…0) and week 1
    ((day(9), day(5), day(0)), {"baseline": day(0), "week_1": day(5)}),  # the first date counts
])
def test_a_visit_is_done_on_the_first_assessment_inside_its_window(dates, done):
    assert visits_done(D0, dates) == done


def test_snapshot_counts_every_assessment_table_as_visit_evidence():
    r = records(labs=(Lab("alt", day(0), 30),), drug_levels=(DrugLevel(day(7), None),),
                other_assessment_dates=(day(14),))
    assert patient_snapshot(r, day(15)).visits_done == {"baseline": day(0), "week_1": day(7),
                                                        "week_2": day(14)}


def test_prophylaxis_is_unknown_without_any_medication_row():
    assert patient_snapshot(records(), day(20)).on_tmp_smx is None
    assert patient_snapshot(records(medications=(SIROLIMUS,)), day(20)).on_tmp_smx is False


# --- the advice ----------------------------------------------------------------------------------

def test_trough_6_on_0_3_mg_gives_the_titration_advice():
    r = records(medications=(SIROLIMUS, TMP_SMX), drug_levels=(DrugLevel(day(20), 6.0),))
    advice = bedside_advice(r, day(21))
    # Rapamune label §2.1: 0.3 × 12.5 / 6 = 0.625 mg, bounded to a twofold step = 0.6 mg
    assert advice.titration is not None and advice.titration.dose.mg == Fraction("0.6")
    assert advice.titration.bounded
    assert "trough_low" in {a.code for a in advice.alerts}  # 6 < 10 ng/mL (Pub.: "10 to 15")


@pytest.mark.parametrize("arm, planned", [("SP", True), ("S", False)])
def test_taper_plan_only_in_arm_sp(arm, planned):
    advice = bedside_advice(records(arm, medications=(FULL, STEP)), day(30))
    assert (advice.taper is not None) is planned
    if planned:  # 4 weeks from day 28 (prednisolone module's default taper)
        assert advice.taper.stop == day(28 + 28) and advice.taper_step is not None


@pytest.mark.parametrize("days, over", [(790, False), (791, True)])
def test_no_advice_after_the_year_2_window(days, over):
    # SAP month-24 window: days 670…790
    advice = bedside_advice(records(medications=(TMP_SMX,)), day(days))
    assert advice.follow_up_over is over and advice.follow_up_end == day(790)
    assert (advice.snapshot is None) is over


def test_an_implausible_weight_becomes_the_problem_shown():
    course = Course("sirolimus", D0, dose=0.8, dose_unit="mg_m2", frequency="bid")
    advice = bedside_advice(records(weight_kg=500.0, medications=(course,)), day(20))
    # bundle format: weight plausible 0.5–80 kg
    assert "weight" in advice.problem and "500" in advice.problem and advice.alerts == ()
