"""The bedside snapshot reads only rows dated up to today (issue 10: "while a platelet count
dated in the future exists, today's count of 8 ×10⁹/L shows 'No open alert'").

Pub.: plasma/cryoprecipitate for "(2) platelet count <10 × 10⁹/L"; 8 < 10 raises the alert.
"""

from __future__ import annotations

from datetime import date, timedelta

from khetrial.protocol.bedside import (Course, DrugLevel, Lab, PatientBaseline, PatientRecords,
                                       bedside_advice, patient_snapshot)

D0 = date(2026, 3, 2)
TODAY = D0 + timedelta(days=10)
TOMORROW = TODAY + timedelta(days=1)


def _records(*labs: Lab, levels: tuple[DrugLevel, ...] = ()) -> PatientRecords:
    return PatientRecords(PatientBaseline("A-01", D0, "S", 6.0, 62.0), labs=labs,
                          drug_levels=levels,
                          medications=(Course("sirolimus", D0, dose=0.3, dose_unit="mg",
                                              frequency="bid"),))


def test_a_future_count_does_not_hide_todays_count():
    records = _records(Lab("platelets", TODAY, 8.0), Lab("platelets", TOMORROW, 150.0))
    snap = patient_snapshot(records, TODAY)
    assert snap.platelets == 8.0
    assert snap.platelet_history == ((TODAY, 8.0),)
    codes = [a.code for a in bedside_advice(records, TODAY).alerts]
    assert "transfusion_plasma" in codes


def test_the_future_count_counts_once_its_day_has_come():
    records = _records(Lab("platelets", TODAY, 8.0), Lab("platelets", TOMORROW, 150.0))
    assert patient_snapshot(records, TOMORROW).platelets == 150.0


def test_a_future_trough_is_not_the_latest():
    records = _records(levels=(DrugLevel(TODAY, 6.0), DrugLevel(TOMORROW, 30.0)))
    snap = patient_snapshot(records, TODAY)
    assert (snap.trough_ng_ml, snap.trough_on) == (6.0, TODAY)
