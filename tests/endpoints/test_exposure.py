"""Drug exposure: trough time in range (Rosendaal), dose intensity, prednisolone duration and
treatment changes, each worked by hand."""

import numpy as np
import pandas as pd
import pytest

from khetrial.endpoints.adverse_events import derive_ae_window, derive_treatment_emergent_aes
from khetrial.endpoints.exposure import (
    compute_time_in_range,
    derive_dose_intensity,
    derive_prednisolone_duration,
    derive_treatment_changes,
    derive_trough_time_in_range,
)


@pytest.mark.parametrize("v0,v1,expected", [
    (12, 12, 10.0),    # flat inside the range: all 10 days
    (8, 8, 0.0),       # flat below: none
    (5, 15, 5.0),      # 5 → 15 over 10 days: in range from 10 to 15, half the days
    (5, 20, 10 * 5 / 15),  # 5 → 20: the 10…15 stretch is 5 of 15 ng/mL
    (20, 10, 5.0),     # falling 20 → 10: 15…10 is half
    (10, 15, 10.0),    # both limits are inside the range (inclusive)
])
def test_rosendaal_time_in_range_by_hand(v0, v1, expected):
    assert compute_time_in_range([0], [v0], [10], [v1], 10, 15)[0] == pytest.approx(expected)


def test_trough_time_in_range_per_patient(make_bundle):
    b = make_bundle(patients="patient_id,arm\nP1,SP\nP2,S\nP3,S", drug_levels="""
        patient_id,day,sirolimus_trough_ng_ml
        P1,-3,30
        P1,0,5
        P1,10,15
        P1,20,15
        P2,0,12
        P2,70,12
        P3,7,11
        """)
    out = derive_trough_time_in_range(b.drug_levels, b.patients).set_index("patient_id")
    # P1: day −3 is before day 0 (not used); 0→10 from 5 to 15: 5 days in range; 10→20 flat 15: 10
    # days; 15 of 20 observed days = 0.75. P2: the only pair is 70 days apart (> 56): no estimate.
    # P3: a single trough: no estimate.
    assert out.loc["P1", "trough_days_in_range"] == pytest.approx(15.0)
    assert out.loc["P1", "trough_time_in_range"] == pytest.approx(0.75)
    assert out.loc["P2", "trough_days_observed"] == 0.0 and np.isnan(out.loc["P2", "trough_time_in_range"])
    assert np.isnan(out.loc["P3", "trough_time_in_range"])


def test_dose_intensity_is_the_time_weighted_dose_over_the_starting_dose(make_bundle):
    # P1: weight 8 kg, height 72 cm -> Mosteller BSA sqrt(8 × 72 / 3600) = 0.4 m².
    b = make_bundle(patients="patient_id,arm,weight_kg,height_cm\nP1,SP,8,72\nP2,S,8,72", medications="""
        patient_id,drug,start_day,end_day,dose,dose_unit,frequency
        P1,sirolimus,0,9,0.8,mg_m2,bid
        P1,sirolimus,10,19,0.48,mg,bid
        P1,prednisolone,0,19,2,mg_kg,qd
        P2,sirolimus,0,,0.8,mg_m2,qd
        """)
    out = derive_dose_intensity(b.medications, b.patients,
                                pd.Series({"P1": 19.0, "P2": 9.0})).set_index("patient_id")
    # P1: days 0–9 at 1.6 mg/m²/day, days 10–19 at 0.48 mg / 0.4 m² × 2 = 2.4 mg/m²/day:
    # mean (10 × 1.6 + 10 × 2.4) / 20 = 2.0 mg/m²/day; intensity 2.0 / 1.6 = 1.25.
    assert out.loc["P1", "sirolimus_mg_m2_day"] == pytest.approx(2.0)
    assert out.loc["P1", "dose_intensity"] == pytest.approx(1.25)
    # P2: ongoing once daily 0.8 mg/m² to its last day (9): 0.8 / 1.6 = 0.5
    assert out.loc["P2", "dose_intensity"] == pytest.approx(0.5)


def test_prednisolone_duration_follows_the_first_episode(make_bundle):
    b = make_bundle(patients="patient_id,arm\nP1,SP\nP2,SP\nP3,SP\nP4,S", medications="""
        patient_id,drug,start_day,end_day
        P1,prednisolone,0,27
        P1,prednisolone,30,55
        P1,prednisolone,100,120
        P2,prednisolone,0,
        P3,prednisolone,-10,-1
        """)
    out = derive_prednisolone_duration(b.medications, b.patients).set_index("patient_id")
    # P1: 0–27, then 30–55 (gap 3 days ≤ 7, chained); 100 is a reintroduction: days 0–55 = 56
    # days = 8.0 weeks. P2: still running: missing. P3: only before randomization. P4: none.
    assert out.loc["P1", "prednisolone_weeks"] == pytest.approx(8.0)
    assert out["prednisolone_weeks"].drop("P1").isna().all()


def test_treatment_changes_count_patients_by_action(make_bundle):
    b = make_bundle(patients="patient_id,arm\nP1,SP\nP2,S", medications="""
        patient_id,drug,start_day,end_day
        P1,sirolimus,0,365
        P2,sirolimus,0,365
        """, adverse_events="""
        patient_id,term,onset_day,grade,serious,related,action
        P1,mucositis_oral,10,2,0,1,dose_reduced
        P1,upper_respiratory_infection,20,3,1,0,interrupted
        P2,hypertension,-5,1,0,0,withdrawn
        """)
    window = derive_ae_window(b.medications, b.patients)
    events = derive_treatment_emergent_aes(b.adverse_events, b.medications, b.patients, window)
    out = derive_treatment_changes(events, b.patients).set_index("patient_id")
    # P2's event is before day 0: not treatment-emergent, so no withdrawal is counted.
    assert out.loc["P1"].to_dict() == {"ae_interrupted": 1, "ae_dose_reduced": 1, "ae_withdrawn": 0}
    assert out.loc["P2"].sum() == 0


def test_a_course_without_dose_unit_or_frequency_is_left_out_of_the_dose_intensity(make_bundle):
    # bundle format: dose, dose_unit and frequency may be empty; such a course has no known dose,
    # so P1's intensity comes from its second course alone: 0.8 mg/m² twice daily / 1.6 = 1.0
    b = make_bundle(patients="patient_id,arm,weight_kg,height_cm\nP1,SP,8,72", medications="""
        patient_id,drug,start_day,end_day,dose,dose_unit,frequency
        P1,sirolimus,0,9,,,
        P1,sirolimus,10,19,0.8,mg_m2,bid
        """)
    out = derive_dose_intensity(b.medications, b.patients, pd.Series({"P1": 19.0})).set_index("patient_id")
    assert out.loc["P1", "dose_intensity"] == pytest.approx(1.0)
