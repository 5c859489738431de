"""Edit checks of one row, on both sides of every threshold.

Thresholds by hand from docs/bundle-format.md ("Edit checks") and the analysis plan's baseline
windows (labs −14…0, MRI and PedsQL −30…0). The patient below: born 2017-12-01, randomized
2018-03-07 (day 0), "today" 2018-04-01; study days counted by hand (2018-02-21 is day −14:
March has 6 days before the 7th, February 28 − 21 = 7, plus 1 = 14).
"""

from __future__ import annotations

import datetime as dt

import pytest

from khetrial.bundle.checks import PatientDates, date_problem, identifier_problem, row_findings

D = dt.date
BIRTH, DAY0, TODAY = D(2017, 12, 1), D(2018, 3, 7), D(2018, 4, 1)
PATIENT = PatientDates(BIRTH, DAY0)


def _columns(table, row):
    return [f.column for f in row_findings(table, row, patient=PATIENT, today=TODAY)]


@pytest.mark.parametrize("value, ok", [
    ("KHE-001", True), ("a.b_c-9", True), ("A" * 40, True),
    ("A" * 41, False), ("A" * 50, False),  # the 50-character id
    ("SP", False), ("S", False), ("sp", False), ("s", False), ("SPX", True),
    ("a/b", False), ("-a", False), ("=1+1", False), ("a b", False), ("", False), ("é1", False),
])
def test_identifier_pattern_on_both_sides(value, ok):
    assert (identifier_problem(value) is None) is ok


def test_identifier_message_says_what_is_allowed():
    message = identifier_problem("SP", "patient_id")
    assert message.startswith("patient_id: got 'SP'; patient_id must be 1–40 characters")
    assert "not an arm code (SP, S)" in message


@pytest.mark.parametrize("day, today, ok", [
    (D(1990, 1, 1), TODAY, True), (D(1989, 12, 31), TODAY, False),
    (TODAY, TODAY, True), (D(2018, 4, 2), TODAY, False),
    (D(2999, 1, 1), TODAY, False),  # the date
    (D(2262, 4, 11), None, True), (D(2262, 4, 12), None, False),  # no today: storable range
])
def test_plausible_dates_on_both_sides(day, today, ok):
    assert (date_problem("date", day, today) is None) is ok


def test_a_future_date_says_after_today_and_the_range():
    assert date_problem("date", D(2018, 4, 2), TODAY) == (
        "date: got 2018-04-02 (after today); date must be 1990-01-01 … today (2018-04-01) "
        "(project choice)")


@pytest.mark.parametrize("table, row, refused", [
    # labs: baseline window −14…0
    ("labs", {"date": D(2018, 2, 21), "test": "platelets", "value": 8.0}, []),
    ("labs", {"date": D(2018, 2, 20), "test": "platelets", "value": 8.0}, ["date"]),
    ("labs", {"date": TODAY, "test": "platelets", "value": 8.0}, []),
    ("labs", {"date": D(2018, 4, 2), "test": "platelets", "value": 8.0}, ["date"]),
    # MRI and PedsQL: −30…0 (2018-02-05 is day −30)
    ("mri", {"date": D(2018, 2, 5), "lesion_volume_ml": 12.0}, []),
    ("mri", {"date": D(2018, 2, 4), "lesion_volume_ml": 12.0}, ["date"]),
    ("qol", {"date": D(2018, 2, 5), "instrument": "i", "item": "p1", "response": 1}, []),
    ("qol", {"date": D(2018, 2, 4), "instrument": "i", "item": "p1", "response": 1}, ["date"]),
    # other study data from day 0
    ("drug_levels", {"date": DAY0, "sirolimus_trough_ng_ml": 5.0}, []),
    ("drug_levels", {"date": D(2018, 3, 6), "sirolimus_trough_ng_ml": 5.0}, ["date"]),
    ("adverse_events", {"term": "x", "onset_date": D(2018, 3, 6), "grade": 1}, ["onset_date"]),
    ("disposition", {"date": D(2018, 3, 6), "status": "completed"}, ["date"]),
    # prior therapy and transfusion history: any day from birth on
    ("medications", {"drug": "prednisolone", "start_date": BIRTH}, []),
    ("medications", {"drug": "prednisolone", "start_date": D(2017, 11, 30)}, ["start_date"]),
    ("transfusions", {"date": D(2017, 12, 2), "product": "platelets"}, []),
    ("transfusions", {"date": D(2017, 11, 30), "product": "platelets"}, ["date"]),
])
def test_dates_against_birth_randomization_and_today(table, row, refused):
    assert _columns(table, row) == refused


def test_a_window_refusal_names_the_window_and_its_source():
    [finding] = row_findings("labs", {"date": D(2018, 2, 20)}, patient=PATIENT, today=TODAY)
    assert finding.message == (
        "date: got 2018-02-20 (study day -15); labs.date may be before randomization only on "
        "days -14…0: baseline labs on days −14…0 (analysis plan)")


@pytest.mark.parametrize("dose, unit, ok", [
    (100, "mg_kg", True), (100.5, "mg_kg", False), (3000, "mg_m2", True), (3001, "mg_m2", False),
    (5000, "mg", True), (5000.1, "mg", False), (1e308, "mg", False),
])
def test_dose_maximum_by_unit(dose, unit, ok):
    row = {"drug": "sirolimus", "start_date": DAY0, "dose": dose, "dose_unit": unit}
    assert (_columns("medications", row) == []) is ok


@pytest.mark.parametrize("day, volume, ok", [
    (DAY0, 0.0, False), (DAY0, 0.1, True),  # baseline (day ≤ 0) must be > 0
    (D(2019, 3, 7), 0.0, True),  # month 12: 0 is a complete response (plan)
])
def test_a_baseline_mri_volume_must_be_above_zero(day, volume, ok):
    row = {"date": day, "lesion_volume_ml": volume}
    findings = row_findings("mri", row, patient=PATIENT, today=D(2020, 1, 1))
    assert (findings == []) is ok


@pytest.mark.parametrize("row, refused", [
    ({"birth_date": TODAY, "randomization_date": TODAY}, []),
    ({"birth_date": D(2018, 4, 2), "randomization_date": TODAY}, ["birth_date"]),
    ({"birth_date": BIRTH, "randomization_date": D(2017, 11, 30)}, ["randomization_date"]),
    ({"birth_date": BIRTH, "randomization_date": DAY0, "kmp_onset_date": BIRTH}, []),
    ({"birth_date": BIRTH, "randomization_date": DAY0, "kmp_onset_date": D(2017, 11, 30)},
     ["kmp_onset_date"]),
    ({"patient_id": "SP", "site_id": "A", "birth_date": BIRTH, "randomization_date": DAY0},
     ["patient_id"]),
    ({"patient_id": "P1", "site_id": "a/b", "birth_date": BIRTH, "randomization_date": DAY0},
     ["site_id"]),
])
def test_a_patients_row_is_checked_against_its_own_dates(row, refused):
    assert [f.column for f in row_findings("patients", row, today=TODAY)] == refused


def test_identifiers_can_be_left_out():
    row = {"patient_id": "SP", "birth_date": BIRTH, "randomization_date": DAY0}
    assert row_findings("patients", row, today=TODAY, identifiers=False) == []


def test_text_dates_and_missing_values_are_read():
    assert _columns("labs", {"date": "2018-04-02", "value": None}) == ["date"]
    assert _columns("labs", {"date": None, "value": float("nan")}) == []


@pytest.mark.parametrize("column,refused", [("end_date", False), ("start_date", True)])
def test_a_planned_course_end_may_lie_after_today_but_not_its_start(column, refused):
    # project choice (format.PLANNED_DATE_COLUMNS): a course is entered with its planned end
    # ("at least during the first 6 months", Pub.); the start is observed, never in the future.
    today = DAY0 + dt.timedelta(days=10)
    row = {"drug": "tmp_smx", "start_date": DAY0, "end_date": DAY0 + dt.timedelta(days=182),
           "dose": 10.0, "dose_unit": "mg_kg", "frequency": "tiw_bid"}
    row[column] = today + dt.timedelta(days=1) if column == "start_date" else row[column]
    columns = {f.column for f in row_findings("medications", row, patient=PATIENT, today=today)}
    assert (column in columns) is refused
