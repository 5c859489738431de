"""SAP "Baseline table": per-patient characteristics."""

import pytest

from khetrial.endpoints.baseline import derive_baseline_characteristics


def test_ages_durations_baseline_labs_and_previous_therapy(make_bundle):
    b = make_bundle(
        patients="""patient_id,arm,birth_date,randomization_date,kmp_onset_date
                    P1,SP,2019-01-01,2020-01-01,2019-12-01
                    P2,S,2019-07-01,2020-01-01,""",
        labs="patient_id,day,test,value\nP1,-15,platelets,5\nP1,-2,platelets,20\nP1,3,platelets,200",
        medications="patient_id,drug,start_day,end_day\nP1,other_khe_therapy,-40,-20\nP2,tmp_smx,-3,200\nP2,sirolimus,0,",
    )
    out = derive_baseline_characteristics(b.patients, b.labs, b.medications).set_index("patient_id")
    # P1: 365 days old (2019-01-01 -> 2020-01-01) = 365 / 30.4375 months; KMP for 31 days.
    assert out.loc["P1", "age_months"] == pytest.approx(365 / 30.4375)
    assert out.loc["P1", "kmp_duration_months"] == pytest.approx(31 / 30.4375)
    # Baseline platelets: the last value on days −14…0 (day −2: 20; day −15 is too early).
    assert out.loc["P1", "platelets_baseline"] == 20
    # Previous KHE therapy: P1's other therapy before day 0; P2 only TMP-SMX (not KHE therapy).
    assert out["previous_khe_therapy"].tolist() == ["yes", "no"]
    assert str(out.loc["P2", "kmp_duration_months"]) == "nan"
