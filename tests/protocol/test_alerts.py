"""Bedside alerts from a patient's latest values (rules cited in protocol/alerts.py)."""

from dataclasses import replace
from datetime import date, timedelta

import pytest

from khetrial.errors import ProtocolError
from khetrial.protocol.alerts import PatientSnapshot, alerts

D0 = date(2026, 3, 2)


def quiet(**changes) -> PatientSnapshot:
    """A patient with nothing to flag on day 10: labs fine, trough in range on day 7, TMP-SMX taken."""
    base = PatientSnapshot(today=D0 + timedelta(10), arm="SP", randomized=D0, weight_kg=5.2, platelets=150,
                           fibrinogen=1.8, hemoglobin=100, sirolimus_dose_mg=0.23, trough_ng_ml=12,
                           trough_on=D0 + timedelta(7), on_tmp_smx=True,
                           visits_done={"baseline": D0, "week_1": D0 + timedelta(7)})
    return replace(base, **changes)


def codes(patient):
    return [a.code for a in alerts(patient)]


def test_a_patient_with_nothing_to_flag_has_no_alerts():
    assert codes(quiet()) == []


@pytest.mark.parametrize("changes, code", [
    ({"platelets": 9.9}, "transfusion_plasma"),        # Pub.: "platelet count <10 × 10⁹/L"
    ({"fibrinogen": 0.49}, "transfusion_plasma"),      # "fibrinogen <0.5 g/L"
    ({"active_bleeding": True}, "transfusion_plasma"),
    ({"hemoglobin": 59}, "transfusion_red_cells"),     # "hemoglobin concentrations <60 g/L"
    ({"ongoing_adverse_events": (("mucositis_oral", 3),)}, "adverse_event_grade3"),
    ({"on_tmp_smx": False}, "pjp_prophylaxis_missing"),
    ({"trough_ng_ml": 9.9}, "trough_low"),
    ({"trough_ng_ml": 15.1}, "trough_high"),
])
def test_each_rule_raises_its_alert(changes, code):
    assert codes(quiet(**changes)) == [code]


@pytest.mark.parametrize("changes", [{"platelets": 10}, {"fibrinogen": 0.5}, {"hemoglobin": 60},
                                     {"trough_ng_ml": 10}, {"trough_ng_ml": 15},
                                     {"ongoing_adverse_events": (("anemia", 2),)}])
def test_values_on_the_threshold_raise_nothing(changes):
    assert codes(quiet(**changes)) == []


def test_prophylaxis_is_required_only_during_the_first_6_months():
    # Pub.: "at least during the first 6 months": 2026-03-02 + 6 months = 2026-09-02
    assert codes(quiet(on_tmp_smx=False, today=date(2026, 9, 1), visits_done=None, trough_on=date(2026, 8, 28))) \
        == ["pjp_prophylaxis_missing"]
    assert codes(quiet(on_tmp_smx=False, today=date(2026, 9, 2), visits_done=None, trough_on=date(2026, 8, 28))) == []


def test_trough_alert_carries_the_titration_advice():
    (alert,) = alerts(quiet(trough_ng_ml=7.5))
    # 0.23 × 12.5 / 7.5 = 0.383333 mg → 0.38 mL
    assert alert.details["adjusted_dose_mg"] == 0.38 and "0.38 mg" in alert.message


def test_missed_trough_check_is_overdue():
    # scheduled troughs on day 7 and 14; on day 18 (> 14 + 3) with the last trough on day 7 → overdue
    patient = quiet(today=D0 + timedelta(18), visits_done=None)
    assert codes(patient) == ["trough_overdue"]
    assert alerts(patient)[0].details["scheduled"] == "2026-03-16"
    assert codes(replace(patient, today=D0 + timedelta(17))) == []  # 14 + 3: still within tolerance


def test_visits_due_and_overdue():
    # day 12: week-1 window (days 4–10) closed without a visit → overdue; week-2 window (11–17) open → due
    patient = quiet(today=D0 + timedelta(12), visits_done={"baseline": D0})
    assert codes(patient) == ["visit_overdue", "visit_due"]
    assert codes(replace(patient, visits_done=None)) == []  # visits unknown: no visit alerts


def test_taper_due_in_arm_sp_after_a_week_of_platelets_at_least_100():
    history = tuple((D0 + timedelta(d), 120) for d in (2, 4, 6, 8, 10))  # 10 − 2 = 8 ≥ 7 days
    patient = quiet(on_prednisolone=True, platelet_history=history)
    (alert,) = alerts(patient)
    # first taper step: Pub. "2 mg/kg" × 5.2 kg × 4/5 (week 1 of the default 4) = 8.32 → 8.3 mg/day
    assert alert.code == "prednisolone_taper_due" and alert.details["plan"]["steps"][0]["daily_dose_mg"] == 8.3
    assert codes(replace(patient, arm="S")) == []
    assert codes(replace(patient, prednisolone_taper_started=True)) == []


def test_alerts_come_most_severe_first():
    patient = quiet(today=D0 + timedelta(12), visits_done={"baseline": D0}, trough_ng_ml=20, platelets=5)
    severities = [a.severity for a in alerts(patient)]
    assert severities == sorted(severities, key=["critical", "warning", "info"].index)
    assert severities[0] == "critical"


@pytest.mark.parametrize("changes, message", [
    ({"ongoing_adverse_events": (("rash", 6),)}, "grade"),
    ({"arm": "X"}, "arm"),
    ({"platelets": -1}, "platelets"),
    ({"trough_ng_ml": 500}, "trough"),
])
def test_invalid_snapshot_is_refused(changes, message):
    with pytest.raises(ProtocolError, match=message):
        alerts(quiet(**changes))


def test_alerts_are_json_ready():
    import json

    data = [a.to_dict() for a in alerts(quiet(platelets=5, trough_ng_ml=20))]
    assert json.loads(json.dumps(data))[0]["code"] == "transfusion_plasma"


def test_taper_alert_labels_the_steps_a_project_choice():
    history = tuple((D0 + timedelta(d), 120) for d in (2, 4, 6, 8, 10))
    (alert,) = alerts(quiet(on_prednisolone=True, platelet_history=history))
    assert "project choice" in alert.message and alert.details["taper_source"] == "project choice"
    assert alert.details["source"] == "publication"


def test_an_undetectable_trough_alerts_with_advice_instead_of_failing():
    (alert,) = [a for a in alerts(quiet(trough_ng_ml=0, sirolimus_dose_mg=0.3)) if a.code.startswith("trough_")]
    assert alert.code == "trough_low" and "adherence" in alert.message and alert.details["action"] == "repeat"
