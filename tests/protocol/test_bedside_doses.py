"""khetrial.protocol.bedside, issue 10: the body size the doses use (with its date, stale after
30 days), starting doses right after randomization, prednisolone only for arm SP, PJP
prophylaxis with both components, the next blood count, the sources of every alert and where
the rules ask a clinician to check.

Expected values are worked by hand from the rule quoted in each test. Day 0 (randomization) is
2026-03-02; the child is born 2025-12-02 (3 months old on day 0), 6 kg and 62 cm.
"""

from __future__ import annotations

import importlib
from datetime import date, timedelta
from decimal import Decimal

import pytest

from khetrial import constants as C
from khetrial.protocol.alerts import Alert
from khetrial.protocol.bedside import (ALERT_SOURCES, Course, DrugLevel, Lab, PatientBaseline, PatientRecords, age_in_months,
                                       alert_sources, bedside_advice, body_size_on, body_size_stale)

D0 = date(2026, 3, 2)
BIRTH = date(2025, 12, 2)


def day(n: int) -> date:
    return D0 + timedelta(days=n)


def records(arm: str | None = "S", weight_kg=6.0, height_cm=62.0, birth=BIRTH, **tables) -> PatientRecords:
    return PatientRecords(PatientBaseline("A-01", D0, arm, weight_kg, height_cm, birth), **tables)


SIROLIMUS = Course("sirolimus", D0, dose=0.3, dose_unit="mg", frequency="bid")
TMP_SMX = Course("tmp_smx", D0, dose=60.0, dose_unit="mg", frequency="tiw_bid")
PREDNISOLONE = Course("prednisolone", D0, dose=2.0, dose_unit="mg_kg", frequency="qd")


def codes(advice) -> set[str]:
    return {c.code for c in advice.checks}


# --- age and body size ------------------------------------------------------------------------------

@pytest.mark.parametrize("birth, on, months", [
    (date(2026, 1, 31), date(2026, 3, 30), 1),   # 31 March would complete 2 months
    (date(2026, 1, 31), date(2026, 3, 31), 2),
    (date(2026, 1, 1), date(2026, 2, 28), 1),
    (date(2026, 1, 1), date(2026, 3, 1), 2),
    (date(2025, 12, 2), date(2026, 3, 2), 3),
])
def test_age_in_completed_calendar_months(birth, on, months):
    assert age_in_months(birth, on) == months


def test_body_size_is_the_randomization_forms_with_its_date():
    body = body_size_on(records().patient, day(10))
    assert (body.weight_kg, body.weight_on, body.height_cm, body.height_on) == (6, D0, 62, D0)
    assert body_size_on(records(weight_kg=None).patient, day(10)) is None
    # a measurement dated later than today cannot be used yet
    later = PatientBaseline("A-01", D0, "S", 6.0, 62.0, BIRTH, body_size_on=day(5))
    assert body_size_on(later, day(4)) is None and body_size_on(later, day(5)).weight_on == day(5)


@pytest.mark.parametrize("days, stale", [(0, False), (30, False), (31, True)])
def test_body_size_is_stale_after_30_days(days, stale):
    # constants.BODY_SIZE_MAX_AGE_DAYS (project choice): 30 days old is current, 31 is stale
    assert C.BODY_SIZE_MAX_AGE_DAYS == 30
    body = body_size_on(records().patient, day(days))
    assert body_size_stale(body, day(days)) is stale
    advice = bedside_advice(records(medications=(SIROLIMUS, TMP_SMX)), day(days))
    assert advice.body_size_age_days == days
    assert ("body_size_stale" in codes(advice)) is stale


# --- starting doses and prednisolone ---------------------------------------------------------------

def test_starting_doses_while_no_sirolimus_course_is_recorded():
    advice = bedside_advice(records("SP"), D0)
    # Mosteller sqrt(62 × 6 / 3600) = 0.321455 m²; Pub. 0.8 mg/m² → 0.25716 mg → 0.26 mL (0.01 mL syringe)
    assert advice.bsa_m2 == Decimal("0.3215")
    assert advice.starting is not None and advice.starting.sirolimus.mg == Decimal("0.26")
    # Pub. "2 mg/kg orally once daily": 12.0 mg, not started yet
    assert advice.prednisolone.mg_daily == Decimal("12.0") and not advice.prednisolone_started
    assert bedside_advice(records("SP", medications=(SIROLIMUS,)), D0).starting is None


@pytest.mark.parametrize("arm", ["S", None])
def test_no_prednisolone_for_arm_s_or_an_arm_the_reader_may_not_see(arm):
    advice = bedside_advice(records(arm), D0)
    assert advice.prednisolone is None and advice.starting is not None


def test_no_starting_dose_once_treatment_has_stopped():
    r = PatientRecords(records("SP").patient, disposition_dates=(day(1),))
    advice = bedside_advice(r, day(2))
    assert advice.starting is None and advice.prednisolone is None


@pytest.mark.parametrize("weight_kg, capped", [(30.0, False), (31.0, True)])
def test_prednisolone_over_60_mg_is_capped_and_asks_a_clinician(weight_kg, capped):
    advice = bedside_advice(records("SP", weight_kg, 130.0, birth=date(2018, 1, 1), medications=(PREDNISOLONE,)),
                            day(3))
    # 2 mg/kg: 30 kg → 60 mg (the cap itself), 31 kg → 62 mg → capped at 60 mg/day (project choice)
    assert advice.prednisolone.mg_daily == Decimal("60.0") and advice.prednisolone.capped is capped
    assert ("prednisolone_capped" in codes(advice)) is capped


# --- PJP prophylaxis --------------------------------------------------------------------------------

@pytest.mark.parametrize("birth, young", [(date(2026, 1, 3), True), (date(2026, 1, 2), False)])
def test_tmp_smx_under_2_months_asks_a_clinician(birth, young):
    # Bactrim label: contraindicated "less than 2 months of age"; born 2026-01-02 → 2 months on 2026-03-02
    advice = bedside_advice(records(birth=birth), D0)
    assert (advice.tmp_smx.caution is not None) is young
    assert ("tmp_smx_young" in codes(advice)) is young


def test_a_child_enrolled_at_14_still_gets_advice_in_follow_up():
    # Pub. "between 0 and 14 years of age": born 2011-03-03 → 14 years 364 days on day 0; on day
    # 170 (prophylaxis still required) 185 months old — no caution, no problem
    advice = bedside_advice(records(weight_kg=50.0, height_cm=160.0, birth=date(2011, 3, 3)), day(170))
    assert advice.problem == "" and advice.age_months == 185
    assert advice.tmp_smx is not None and advice.tmp_smx.caution is None


def test_tmp_smx_names_both_components_while_required():
    advice = bedside_advice(records(), day(10))
    # Pub. "10 mg/kg twice daily" read as the combined product: 60 mg = TMP 10 mg + SMX 50 mg (1:5)
    dose = advice.tmp_smx
    assert (dose.combined_mg, dose.trimethoprim_mg, dose.sulfamethoxazole_mg) == (
        Decimal("60.0"), Decimal("10.0"), Decimal("50.0"))
    # "at least during the first 6 months": required until 2026-09-02
    assert advice.prophylaxis_until == date(2026, 9, 2)
    assert bedside_advice(records(), date(2026, 9, 2)).tmp_smx is None  # not required, not taken
    assert bedside_advice(records(medications=(TMP_SMX,)), date(2026, 9, 2)).tmp_smx is not None


# --- sirolimus: hold and maximum ----------------------------------------------------------------------

@pytest.mark.parametrize("trough, held", [(30.0, False), (30.5, True)])
def test_a_trough_above_30_holds_sirolimus_and_asks_a_clinician(trough, held):
    r = records(medications=(SIROLIMUS, TMP_SMX), drug_levels=(DrugLevel(day(9), trough),))
    advice = bedside_advice(r, day(10))
    # project choice: hold above 30 ng/mL (constants.SIROLIMUS_HOLD_ABOVE_NG_ML)
    assert advice.titration.hold is held
    assert ("sirolimus_hold" in codes(advice)) is held


@pytest.mark.parametrize("dose_mg, at_max", [(9.0, False), (10.5, True)])
def test_the_labels_maximum_asks_a_clinician(dose_mg, at_max):
    # trough 5: ×2 (project bound) → 18 mg or 21 mg; the label's 40 mg a day = 20 mg per dose
    course = Course("sirolimus", D0, dose=dose_mg, dose_unit="mg", frequency="bid")
    r = records(weight_kg=60.0, height_cm=170.0, birth=date(2013, 1, 1), medications=(course, TMP_SMX),
                drug_levels=(DrugLevel(day(9), 5.0),))
    advice = bedside_advice(r, day(10))
    assert advice.titration.dose.mg == (Decimal("20.0") if at_max else Decimal("18.0"))
    assert ("sirolimus_max" in codes(advice)) is at_max


# --- the next blood count ----------------------------------------------------------------------------

def test_next_blood_count_two_days_after_the_latest():
    labs = (Lab("platelets", day(0), 20.0), Lab("platelets", day(6), 40.0))
    advice = bedside_advice(records(labs=labs), day(7))
    # Pub. "blood counts every 2 days until the stabilization": 6 + 2 = day 8
    assert advice.blood_count.due == day(8) and not advice.blood_count.is_overdue(day(7))


# --- sources ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("alert, sources", [
    (Alert("transfusion_plasma", "critical", ""), ("publication",)),
    (Alert("visit_due", "info", ""), ("publication", "project choice")),
    (Alert("trough_low", "warning", "", {"rules": [{"source": "publication"}, {"source": "label"},
                                                   {"source": "project choice"}]}),
     ("publication", "label", "project choice")),
    (Alert("prednisolone_taper_due", "info", ""), ("publication",)),
    (Alert("prednisolone_taper_due", "info", "", {"plan": {}}), ("publication", "project choice")),
])
def test_every_alert_names_the_sources_of_its_rules(alert, sources):
    assert alert_sources(alert) == sources


def test_every_alert_code_of_the_alerts_module_has_its_sources():
    doc = importlib.import_module("khetrial.protocol.alerts").__doc__  # the package exports a function alerts
    documented = {line.split()[0] for line in doc.splitlines()
                  if line[:1].islower() and "  " in line and not line.startswith("code")}
    documented |= {"trough_high"}  # "trough_low / trough_high" share a line
    assert len(documented) == 10 and documented <= set(ALERT_SOURCES), documented - set(ALERT_SOURCES)
