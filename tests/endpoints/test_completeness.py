"""Interim completeness: outcomes known at a cut-off, worked by hand."""

import pandas as pd
import pytest

from khetrial.endpoints.completeness import CLOSE_DAYS, derive_evaluable, summarise_completeness
from khetrial.endpoints.adsl import derive_adsl


def test_close_days_follow_the_plan_windows():
    # week 4: a run starting by day 28 that lasts 28 days, counts up to 14 days apart: 28 + 28 + 14
    assert CLOSE_DAYS["durable_platelet_response_wk4"] == 70
    assert CLOSE_DAYS["durable_platelet_response_wk1"] == 49
    assert CLOSE_DAYS["qol_improvement_m12"] == 395  # SAP month-12 window 335…395
    assert CLOSE_DAYS["sequelae_m24"] == 790          # SAP month-24 window 670…790


@pytest.mark.parametrize("cutoff,expected", [
    ("2020-03-10", False),  # day 69: one day before the week-4 window closes
    ("2020-03-11", True),   # day 70: closed
])
def test_a_non_responder_is_evaluable_only_once_the_window_closed(make_bundle, cutoff, expected):
    b = make_bundle(patients="patient_id,arm\nP1,S", labs="patient_id,day,test,value\nP1,0,platelets,20")
    evaluable = derive_evaluable(derive_adsl(b), b.patients, pd.Timestamp(cutoff))
    assert bool(evaluable.loc[0, "durable_platelet_response_wk4"]) is expected


def test_a_responder_is_evaluable_before_the_window_closes(make_bundle):
    b = make_bundle(patients="patient_id,arm\nP1,SP\nP2,S", labs="""
        patient_id,day,test,value
        P1,0,platelets,20
        P1,7,platelets,120
        P1,21,platelets,130
        P1,35,platelets,140
        P2,0,platelets,20
        """)
    # cut-off day 36: P1's run 7…35 is durable (28 days) and started by day 7: a known responder;
    # P2 has 34 more days before week 4 closes: not yet evaluable.
    evaluable = derive_evaluable(derive_adsl(b), b.patients, pd.Timestamp("2020-02-06"))
    assert evaluable.set_index("patient_id")["durable_platelet_response_wk4"].to_dict() == {"P1": True, "P2": False}
    summary = summarise_completeness(evaluable, ("SP", "S"))
    assert summary["durable_platelet_response_wk4"] == {"SP": {"evaluable": 1, "n": 1}, "S": {"evaluable": 0, "n": 1}}
    assert summary["sequelae_m24"]["SP"]["evaluable"] == 0
