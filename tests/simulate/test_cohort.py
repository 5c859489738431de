"""khetrial.simulate.cohort: the publication-matched cohort's baseline totals are exact."""

from __future__ import annotations

import pandas as pd

DAYS_PER_MONTH = 365.25 / 12


def test_published_cohort_baseline_totals(published_bundle):
    p = published_bundle.patients
    # Pub.: "In total, 35 patients were female"
    assert (p["sex"].astype(str) == "F").sum() == 35
    age = (p["randomization_date"] - p["birth_date"]).dt.days / DAYS_PER_MONTH
    # Pub.: "the mean age at baseline was 4.1 months (range, 0.3-25.0 months)"
    assert round(age.mean(), 1) == 4.1
    assert (round(age.min(), 1), round(age.max(), 1)) == (0.3, 25.0)
    duration = (p["randomization_date"] - p["kmp_onset_date"]).dt.days / DAYS_PER_MONTH
    # Pub.: "the mean duration of KMP was 2.1 months (range, 0.0-17.5 months)"
    assert round(duration.mean(), 1) == 2.1
    assert (round(duration.min(), 1), round(duration.max(), 1)) == (0.0, 17.5)
    # Pub.: "Retroperitoneal and intrathoracic lesions were detected in 6.8% of patients" (5/73)
    assert p["lesion_site"].astype(str).isin(["retroperitoneal", "intrathoracic"]).sum() == 5
    # Pub.: "Biopsies were available for 39 patients before enrollment"
    assert int(p["biopsy"].sum()) == 39
    # Pub.: "5 tertiary referral centers"
    assert p["site_id"].nunique() == 5


def test_published_cohort_previous_therapy_and_screening(published_bundle):
    med = published_bundle.medications.merge(
        published_bundle.patients[["patient_id", "randomization_date"]], on="patient_id")
    before = med[med["start_date"] < med["randomization_date"]]
    # Pub.: "Twenty-four (32.9%) patients had been treated previously with at least 1 therapy for KHE"
    assert before["patient_id"].nunique() == 24
    # exclusion criterion: no KHE therapy within 1 week before enrolment
    assert ((before["randomization_date"] - before["end_date"]).dt.days >= 8).all()
    s = published_bundle.screening
    # Pub.: "Of the 78 patients screened ... 73 were randomly assigned"
    assert len(s) == 78 and int(s["eligible"].sum()) == 73
    assert s.loc[s["eligible"] == 0, "patient_id"].isna().all()


def test_prednisolone_course_lengths(published_bundle):
    med = published_bundle.medications
    pts = published_bundle.patients[["patient_id", "arm", "randomization_date"]]
    pred = med[med["drug"].astype(str) == "prednisolone"].merge(pts, on="patient_id")
    pred = pred[(pred["arm"].astype(str) == "SP") & (pred["start_date"] >= pred["randomization_date"])]
    span = pred.groupby("patient_id").agg(first=("start_date", "min"), last=("end_date", "max"))
    weeks = ((span["last"] - span["first"]).dt.days + 1) / 7
    # Pub.: "the average duration of oral prednisolone treatment was 8.1 weeks (range, 6.0-11.0)"
    assert round(weeks.mean(), 1) == 8.1
    assert weeks.min() >= 6.0 and weeks.max() <= 11.0
    assert len(span) == 37
    assert isinstance(span, pd.DataFrame)


def test_published_cohort_is_balanced_between_arms(published_bundle):
    p = published_bundle.patients
    girls = p[p["sex"].astype(str) == "F"].groupby(p["arm"].astype(str)).size().to_dict()
    # 35 girls split by arm size: round(35 × 37 / 73) = round(17.74) = 18 in SP, 35 − 18 = 17 in S
    assert girls == {"SP": 18, "S": 17}
