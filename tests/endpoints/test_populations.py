"""The per-protocol set (docs/analysis-plan.md "Per-protocol population"): both sides of each
exclusion rule, on one-patient bundles whose expected reason is read off the rules by hand.

Day 0 is randomization. Unless a test says otherwise the child takes sirolimus from day 0, arm SP
also prednisolone on days 0…35, and has platelet counts of 50 ×10⁹/L every 7 days on days 0…56
(a non-responder followed to day 56: the primary is observed)."""

from __future__ import annotations

import pandas as pd
import pytest

from khetrial.endpoints import derive_analysis_tables
from khetrial.endpoints.populations import PER_PROTOCOL_REASONS, derive_per_protocol
from khetrial.endpoints.response import derive_lab_measurements

SIROLIMUS = "P1,sirolimus,0,400"
PREDNISOLONE = "P1,prednisolone,0,35"


def counts(days, value=50):
    return "\n".join(f"P1,{d},platelets,{value}" for d in days)


FOLLOWED = counts(range(0, 57, 7))  # days 0, 7, …, 56


def exclusion(make_bundle, arm, medications=None, labs=FOLLOWED, disposition=""):
    """The child's ``pp_exclusion`` (None when in the set)."""
    if medications is None:
        medications = [SIROLIMUS, PREDNISOLONE] if arm == "SP" else [SIROLIMUS]
    tables = {"patients": f"patient_id,arm\nP1,{arm}",
              "medications": "patient_id,drug,start_day,end_day\n" + "\n".join(medications),
              "labs": "patient_id,day,test,value\n" + labs}
    if disposition:
        tables["disposition"] = "patient_id,day,status,reason\n" + disposition
    b = make_bundle(**tables)
    adsl = derive_analysis_tables(b).adsl
    row = derive_per_protocol(adsl, b.patients, b.medications, b.disposition,
                              derive_lab_measurements(b.labs, b.patients, "platelets")).iloc[0]
    assert bool(row["per_protocol"]) == pd.isna(row["pp_exclusion"])
    return None if pd.isna(row["pp_exclusion"]) else str(row["pp_exclusion"])


@pytest.mark.parametrize("arm", ["SP", "S"])
def test_a_child_treated_as_allocated_and_followed_to_day_56_is_in_the_set(make_bundle, arm):
    assert exclusion(make_bundle, arm) is None


@pytest.mark.parametrize("course, expected", [
    ("P1,sirolimus,7,400", None),              # starts on day 7: within the first week
    ("P1,sirolimus,8,400", "no_sirolimus"),    # starts on day 8: too late
    ("P1,sirolimus,-30,0", None),              # a course ending on day 0 still runs on day 0
    ("P1,sirolimus,-30,-1", "no_sirolimus"),   # ended before randomization
    ("P1,sirolimus,-30,", None),               # started before, still running (no end date)
])
def test_sirolimus_must_run_on_a_day_of_the_first_week(make_bundle, course, expected):
    assert exclusion(make_bundle, "S", medications=[course]) == expected


@pytest.mark.parametrize("course, expected", [
    ("P1,prednisolone,7,35", None),
    ("P1,prednisolone,8,35", "no_prednisolone"),
    ("P1,prednisolone,-20,-1", "no_prednisolone"),
])
def test_the_combination_arm_must_start_prednisolone_in_the_first_week(make_bundle, course, expected):
    assert exclusion(make_bundle, "SP", medications=[SIROLIMUS, course]) == expected


def test_the_combination_arm_without_any_prednisolone_is_excluded(make_bundle):
    assert exclusion(make_bundle, "SP", medications=[SIROLIMUS]) == "no_prednisolone"


@pytest.mark.parametrize("course, expected", [
    ("P1,prednisolone,7,20", "prednisolone_in_control"),  # the other arm's drug from the first week
    ("P1,prednisolone,8,20", None),                       # rescue (plan): a failure, kept
    ("P1,prednisolone,-20,0", "prednisolone_in_control"),  # a pre-trial course still running on day 0
    ("P1,prednisolone,-20,-1", None),                     # previous therapy, ended before day 0
])
def test_the_control_arm_must_not_take_prednisolone_in_the_first_week(make_bundle, course, expected):
    assert exclusion(make_bundle, "S", medications=[SIROLIMUS, course]) == expected


@pytest.mark.parametrize("reason, expected", [
    ("parent_request", "discontinued_early"),
    ("toxicity", "discontinued_early"),
    ("lost_to_follow_up", "discontinued_early"),
    ("lack_of_efficacy", None),  # a failure is an outcome, not a deviation
    ("progression", None),
])
def test_a_non_responder_discontinued_before_day_56_is_excluded_unless_it_failed(make_bundle, reason, expected):
    # counts continue to day 56, but those on or after the censoring day 40 are not used
    assert exclusion(make_bundle, "S", disposition=f"P1,40,discontinued,{reason}") == expected


def test_a_discontinuation_after_a_count_on_day_56_leaves_the_child_in_the_set(make_bundle):
    # counts on days 0…56 are before the censoring day 57: the primary was observed
    assert exclusion(make_bundle, "S", disposition="P1,57,discontinued,parent_request") is None


def test_a_responder_who_discontinues_early_stays_in_the_set(make_bundle):
    # counts of 150 on days 0, 7, …, 28: a durable run from day 0 (28 − 0 ≥ 28) starting ≤ 28
    labs = counts(range(0, 29, 7), value=150)
    assert exclusion(make_bundle, "S", labs=labs, disposition="P1,30,discontinued,parent_request") is None


@pytest.mark.parametrize("last_day, expected", [(55, "insufficient_follow_up"), (56, None)])
def test_a_non_responder_needs_a_count_on_day_56_or_later(make_bundle, last_day, expected):
    labs = counts([*range(0, 50, 7), last_day])
    assert exclusion(make_bundle, "S", labs=labs) == expected


def test_a_failure_by_other_khe_therapy_needs_no_follow_up(make_bundle):
    # counts end on day 14, but other KHE therapy on day 10 makes the child a failure (plan)
    medications = [SIROLIMUS, "P1,other_khe_therapy,10,20"]
    assert exclusion(make_bundle, "S", medications=medications, labs=counts([0, 7, 14])) is None


def test_the_first_reason_that_applies_is_reported(make_bundle):
    # no sirolimus AND lost before day 56: reported once, under the first reason
    got = exclusion(make_bundle, "SP", medications=[PREDNISOLONE], labs=counts([0, 7]))
    assert got == "no_sirolimus" == PER_PROTOCOL_REASONS[0]


def test_the_derivation_keeps_adsl_order_and_does_not_change_its_input(make_bundle):
    b = make_bundle(patients="patient_id,arm\nP2,S\nP1,SP",
                    medications="patient_id,drug,start_day,end_day\nP1,sirolimus,0,\nP1,prednisolone,0,30\n"
                                "P2,sirolimus,0,",
                    labs="patient_id,day,test,value\n" + counts(range(0, 57, 7)).replace("P1", "P2"))
    adsl = derive_analysis_tables(b).adsl
    before = adsl.copy()
    out = derive_per_protocol(adsl, b.patients, b.medications, b.disposition,
                              derive_lab_measurements(b.labs, b.patients, "platelets"))
    assert out["patient_id"].tolist() == ["P2", "P1"]
    assert out["pp_exclusion"].fillna("in").tolist() == ["in", "insufficient_follow_up"]  # P1 has no counts
    pd.testing.assert_frame_equal(adsl, before)
